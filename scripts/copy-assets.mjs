// Copies the Swagger UI files the /docs page needs, and htmx for the admin UI, out of node_modules, so the docs work with no
// internet access. Runs on `npm install` (postinstall); the output directory is git-ignored.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const out = join(root, "public", "docs", "vendor");
mkdirSync(out, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"]) {
  copyFileSync(join(swaggerDir, file), join(out, file));
}

// htmx for the admin UI's live parts (public/admin/vendor; pages work without it).
const htmxDir = dirname(require.resolve("htmx.org/package.json"));
const adminOut = join(root, "public", "admin", "vendor");
mkdirSync(adminOut, { recursive: true });
copyFileSync(join(htmxDir, "dist", "htmx.min.js"), join(adminOut, "htmx.min.js"));
