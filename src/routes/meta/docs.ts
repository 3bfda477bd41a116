import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../../lib/errors/api-error";
import type { App } from "../../lib/router";
import { API_TITLE } from "./openapi";

/** Swagger UI files are copied from swagger-ui-dist into public/docs/vendor by scripts/copy-assets.mjs. */
const VENDOR = "/docs/vendor";

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${API_TITLE} – docs</title>
<link rel="stylesheet" href="${VENDOR}/swagger-ui.css">
<style>body{margin:0} .topbar{display:none}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="${VENDOR}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  showExtensions: true,
  validatorUrl: null,
});
</script>
</body>
</html>`;

const docsRoute = createRoute({
  method: "get",
  path: "/docs",
  tags: ["Meta"],
  summary: "Interactive API documentation (works offline)",
  responses: { 200: { description: "HTML page", content: { "text/html": { schema: z.string() } } } },
});

const vendorRoute = createRoute({
  method: "get",
  path: "/docs/vendor/{file}",
  tags: ["Meta"],
  summary: "Static files of the docs page",
  request: { params: z.object({ file: z.string().regex(/^[\w.-]+$/).openapi({ param: { name: "file", in: "path" } }) }) },
  responses: {
    200: { description: "The file", content: { "application/octet-stream": { schema: z.string() } } },
    404: { description: "No such file" },
  },
});

export function registerDocs(app: App): void {
  app.openapi(docsRoute, (c) => c.html(page, 200));
  app.openapi(vendorRoute, async (c) => {
    const res = c.env.ASSETS ? await c.env.ASSETS.fetch(new URL(`${VENDOR}/${c.req.valid("param").file}`, c.req.url)) : null;
    if (!res || !res.ok) throw new ApiError("not_found", { detail: "No such docs asset" });
    const out = new Response(res.body, res);
    out.headers.set("Cache-Control", "public, max-age=86400");
    return out as never;
  });
}
