#!/usr/bin/env node
// Per-region deployment steps (README "Regions"), so that each region's resources are created
// with the right jurisdiction and nothing is typed by hand:
//
//   npm run region:create -- eu      D1 database, R2 bucket and queues of [env.eu], in its jurisdiction
//   npm run region:secrets -- eu     wrangler secret put for each secret the region needs
//   npm run region:migrate -- eu     wrangler d1 migrations apply DB --remote --env eu
//   npm run region:deploy -- eu      wrangler deploy --env eu
//   npm run regions:dry-run          wrangler deploy --dry-run --env <r> for every region (CI; offline)
//
// `--print` shows the commands instead of running them. Names come from wrangler.toml's
// environments; the jurisdiction (or, for ca, the location hint) from the table below.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");

/**
 * Where each region's storage is created. Canada has no Cloudflare jurisdiction: `enam` (Eastern
 * North America) is a location hint, best effort, for D1 and R2 (queues take no hint).
 */
const PLACEMENT = {
  ca: { jurisdiction: null, locationHint: "enam" },
  eu: { jurisdiction: "eu", locationHint: null },
  us: { jurisdiction: "us", locationHint: null },
};
const QUEUES = ["notify-deliver", "notify-fanout", "notify-events", "notify-dead-letter", "notify-email-events"];
const SECRETS = ["ADMIN_TOKEN", "API_KEY_ENCRYPTION_KEY"];

const [command, ...rest] = process.argv.slice(2);
const print = rest.includes("--print");
const named = rest.filter((a) => !a.startsWith("--"));

function regionsOf(list, { all }) {
  if (list.length === 0 && all) return Object.keys(PLACEMENT);
  if (list.length !== 1 && !all) fail(`name one region: ${Object.keys(PLACEMENT).join(", ")}`);
  for (const r of list) if (!(r in PLACEMENT)) fail(`unknown region "${r}" (known: ${Object.keys(PLACEMENT).join(", ")})`);
  return list;
}

function fail(message) {
  process.stderr.write(`region: ${message}\n`);
  process.exit(2);
}

function run(args) {
  process.stdout.write(`$ wrangler ${args.join(" ")}\n`);
  if (print) return;
  const res = spawnSync(wrangler, args, { cwd: root, stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

function create(region) {
  const { jurisdiction, locationHint } = PLACEMENT[region];
  const where = jurisdiction ? ["--jurisdiction", jurisdiction] : ["--location", locationHint];
  // Put the database_id this prints into [[env.<region>.d1_databases]] in wrangler.toml.
  run(["d1", "create", `edge-notify-${region}`, ...where]);
  run(["r2", "bucket", "create", `edge-notify-files-${region}`, ...where]);
  for (const queue of QUEUES) run(["queues", "create", `${queue}-${region}`, ...(jurisdiction ? ["--jurisdiction", jurisdiction] : [])]);
}

switch (command) {
  case "create":
    for (const r of regionsOf(named, { all: false })) create(r);
    break;
  case "secrets":
    for (const r of regionsOf(named, { all: false })) for (const name of SECRETS) run(["secret", "put", name, "--env", r]);
    break;
  case "migrate":
    for (const r of regionsOf(named, { all: false })) run(["d1", "migrations", "apply", "DB", "--remote", "--env", r]);
    break;
  case "deploy":
    for (const r of regionsOf(named, { all: false })) run(["deploy", "--env", r]);
    break;
  case "dry-run":
    for (const r of regionsOf(named, { all: true })) run(["deploy", "--dry-run", "--env", r, "--outdir", join(".wrangler", "dry-run", r)]);
    break;
  default:
    fail("usage: region.mjs create|secrets|migrate|deploy <region> | dry-run [region…] [--print]");
}
