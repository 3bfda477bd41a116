#!/usr/bin/env node
// `npm start`: everything a newcomer needs to call the service locally, with nothing done by hand.
//
//   1. keeps .dev.vars, or creates it with a random ADMIN_TOKEN and encryption key;
//   2. applies the D1 migrations to the local database;
//   3. runs `wrangler dev` (workerd, local D1/R2/Durable Objects/Queues);
//   4. makes sure a demo tenant with one live and one test API key exists (same keys across
//      restarts, recreated if the local state was wiped);
//   5. prints where the service listens and how to call it;
//   6. fires the cron trigger every minute, which `wrangler dev` does not do by itself, so delayed
//      sends are released locally too.
//
// Knobs (environment): PORT (8787), NOTIFY_STATE_DIR (.wrangler/state), NOTIFY_DEV_VARS (.dev.vars),
// REGIONS (unset: one single-region Worker). `REGIONS=ca,eu npm start` runs one Worker per region
// (`wrangler dev --env <region>`) on PORT, PORT+1, …, each with its own state in
// NOTIFY_STATE_DIR/<region> (D1, R2, Durable Objects, queues) and its own demo tenant, homed there.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { localSinkVars, parseDotEnv, requiredLocalVars } from "./lib/dev-vars.mjs";
import { ensureDemoTenant } from "./lib/demo-tenant.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number.parseInt(process.env.PORT ?? "8787", 10);
const host = "127.0.0.1";
const baseUrl = `http://${host}:${port}`;
const stateDir = resolve(root, process.env.NOTIFY_STATE_DIR ?? ".wrangler/state");
const KNOWN_REGIONS = ["ca", "eu", "us"];
const regions = (process.env.REGIONS ?? "")
  .split(",")
  .map((r) => r.trim().toLowerCase())
  .filter(Boolean);
for (const r of regions) {
  if (!KNOWN_REGIONS.includes(r)) throw new Error(`REGIONS: unknown region "${r}" (known: ${KNOWN_REGIONS.join(", ")}, the environments of wrangler.toml)`);
}
if (new Set(regions).size !== regions.length) throw new Error("REGIONS: a region is named twice");

/**
 * The Workers to run: one without an environment (the single-region default), or one per region
 * on consecutive ports, each with its own state directory.
 */
const instances =
  regions.length === 0
    ? [{ region: null, port, baseUrl, stateDir }]
    : regions.map((region, i) => ({ region, port: port + i, baseUrl: `http://${host}:${port + i}`, stateDir: join(stateDir, region) }));

/**
 * What a region's Worker needs locally beyond the sink: the regions' local base URLs (for the 421
 * and GET /api/v1/regions), its own origin (wrangler.toml names the production domain), and the
 * Durable Object jurisdiction override, since local workerd implements no jurisdiction (the
 * Worker honours it only with DEV_SINK=true; see README "Regions").
 */
function regionVars(instance) {
  if (!instance.region) return {};
  return {
    REGION_BASE_URLS: instances.map((i) => `${i.region}=${i.baseUrl}`).join(","),
    PUBLIC_ORIGIN: instance.baseUrl,
    DO_JURISDICTION_DEV_OVERRIDE: "ignore",
  };
}
const devVarsPath = resolve(root, process.env.NOTIFY_DEV_VARS ?? ".dev.vars");
const generatedVarsPath = join(stateDir, "generated.vars");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const childEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_UPDATE_NOTIFIER: "1",
};

function say(line = "") {
  process.stdout.write(`${line}\n`);
}

function randomSecret() {
  return randomBytes(24).toString("base64url");
}

/**
 * .dev.vars is the developer's file: created when missing, never rewritten. Anything required
 * that it lacks is generated once into the state directory and loaded before it, so values the
 * developer did set always win.
 */
function prepareVars() {
  mkdirSync(stateDir, { recursive: true });
  for (const instance of instances) mkdirSync(instance.stateDir, { recursive: true });
  const required = requiredLocalVars({ baseUrl, secret: randomSecret });
  if (!existsSync(devVarsPath)) {
    const body = [
      "# Local secrets and settings for `npm start` (git-ignored). Edit freely; npm start never overwrites this file.",
      ...Object.entries(required).map(([k, v]) => `${k}=${v.value}${v.comment ? `  # ${v.comment}` : ""}`),
      "",
    ].join("\n");
    writeFileSync(devVarsPath, body, { mode: 0o600 });
    say(`Created ${relative(devVarsPath)} with a new ADMIN_TOKEN.`);
  }
  const own = parseDotEnv(readFileSync(devVarsPath, "utf8"));
  if (own.ALLOW_INSECURE_WEBHOOKS !== undefined) {
    // Older files have it; the loopback setting below is passed anyway, so the demo keeps working.
    say(`Note: ${relative(devVarsPath)} sets ALLOW_INSECURE_WEBHOOKS, which is no longer read; OUTBOUND_ALLOW_LOOPBACK replaces it (npm start sets it).`);
  }
  const generated = existsSync(generatedVarsPath) ? parseDotEnv(readFileSync(generatedVarsPath, "utf8")) : {};
  let changed = false;
  for (const [key, { value }] of Object.entries(required)) {
    if (own[key] === undefined && generated[key] === undefined) {
      generated[key] = value;
      changed = true;
    }
  }
  if (changed) {
    writeFileSync(
      generatedVarsPath,
      `${Object.entries(generated).map(([k, v]) => `${k}=${v}`).join("\n")}\n`,
      { mode: 0o600 },
    );
  }
  const envFiles = [generatedVarsPath, devVarsPath].filter((f) => existsSync(f));
  const cliVarsOf = (instance) =>
    Object.fromEntries(Object.entries({ ...localSinkVars(instance.baseUrl), ...regionVars(instance) }).filter(([key]) => own[key] === undefined));
  const sink = cliVarsOf(instances[0]);
  return { vars: { ...sink, ...generated, ...own }, envFiles, cliVarsOf };
}

function relative(path) {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function applyMigrations(envFiles, instance) {
  const res = spawnSync(
    wrangler,
    [
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "--persist-to",
      instance.stateDir,
      ...(instance.region ? ["--env", instance.region] : []),
      ...envFiles.flatMap((f) => ["--env-file", f]),
    ],
    { cwd: root, env: { ...childEnv, CI: "true" }, encoding: "utf8" },
  );
  if (res.status !== 0) {
    process.stderr.write(res.stdout ?? "");
    process.stderr.write(res.stderr ?? "");
    throw new Error(`applying the local D1 migrations failed${instance.region ? ` (region ${instance.region})` : ""}`);
  }
  say(`Local D1 migrations applied${instance.region ? ` (region ${instance.region})` : ""}.`);
}

function startWrangler(envFiles, cliVars, instance) {
  const child = spawn(
    wrangler,
    [
      "dev",
      "--ip",
      host,
      "--port",
      String(instance.port),
      "--persist-to",
      instance.stateDir,
      "--show-interactive-dev-session=false",
      "--test-scheduled",
      // A region's environment names its production domain as a route; locally it is this port.
      ...(instance.region ? ["--env", instance.region, "--infer-origin-from-routes=false"] : []),
      ...envFiles.flatMap((f) => ["--env-file", f]),
      ...Object.entries(cliVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" },
  );
  // wrangler's own output is useful (request log, console.log from the Worker); prefix it.
  const pipe = (stream, out) => {
    let buffered = "";
    stream.on("data", (chunk) => {
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) out.write(`[wrangler${instance.region ? ` ${instance.region}` : ""}] ${line}\n`);
      }
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  return child;
}

async function waitUntilHealthy(child, instance, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${instance.baseUrl}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Worker did not become healthy on ${instance.baseUrl} within ${timeoutMs / 1000} s`);
}

/** wrangler dev never fires cron triggers; this does, at the start of every minute. */
function startCronTicker(instance) {
  const tick = async () => {
    try {
      const res = await fetch(`${instance.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`);
      if (!res.ok) process.stderr.write(`[cron] scheduled handler answered ${res.status}\n`);
    } catch (err) {
      process.stderr.write(`[cron] could not reach the scheduled handler: ${err.message}\n`);
    }
  };
  const schedule = () => {
    const delay = 60_000 - (Date.now() % 60_000) + 250;
    return setTimeout(async () => {
      await tick();
      timer = schedule();
    }, delay);
  };
  let timer = schedule();
  return () => clearTimeout(timer);
}

/** A send that shows all three channels reaching the dev inbox. */
const demoSend = {
  params: { name: "Ada" },
  email: { recipients: { to: ["ada@example.com"] }, content: { subject: "Hello {{name}}", body: "**Welcome**, {{name}}!", bodyType: "markdown" } },
  sms: { recipients: { to: ["+17787001234"] }, content: { body: "Hello {{name}}" } },
  msgApp: { target: "demo-slack", content: { body: "Hello {{name}}" } },
};

function printBanner(vars, started) {
  const line = "─".repeat(78);
  const first = started[0].instance.baseUrl;
  say();
  say(line);
  if (started.length === 1 && !started[0].instance.region) say(` Edge Notify is running at ${first}`);
  else say(` Edge Notify is running in ${started.length} regions: ${started.map(({ instance }) => `${instance.region} at ${instance.baseUrl}`).join(", ")}`);
  say(line);
  for (const { instance, demo } of started) {
    // A region's lines carry its name, so each can be read apart (e2e/regions.test.ts does).
    const tag = instance.region ? `[${instance.region}] ` : "";
    const url = instance.baseUrl;
    if (instance.region) say(` ${tag}Base URL       ${url}   (its own D1, R2, Durable Objects and queues in ${relative(instance.stateDir)})`);
    say(` ${tag}API docs       ${url}/docs   (OpenAPI: ${url}/openapi.json)`);
    say(` ${tag}Health         ${url}/healthz`);
    say(` ${tag}Demo tenant    ${demo.tenantId}`);
    say(` ${tag}Live API key   ${demo.liveKey}`);
    say(` ${tag}Test API key   ${demo.testKey}   (never reaches a provider)`);
    if (vars.DEV_SINK === "true") say(` ${tag}Dev inbox      ${url}/dev/inbox   (every email, SMS and chat message sent locally)`);
    say(` ${tag}Admin UI       ${url}/admin   (operators sign in with the admin token below; invited tenant users by the link in their email)`);
    say();
  }
  say(` Admin token    ${vars.ADMIN_TOKEN}   (from ${relative(devVarsPath)})`);
  say();
  const { demo } = started[0];
  say(" Try it:");
  say(`   curl -s ${first}/api/v1/tenant -H 'X-API-Key: ${demo.liveKey}'`);
  say(`   curl -s ${first}/api/v1/notifysimple -H 'X-API-Key: ${demo.liveKey}' -H 'content-type: application/json' \\`);
  say(`     -d '${JSON.stringify(demoSend)}'`);
  say(`   curl -s ${first}/api/v1/tenants -H 'Authorization: Bearer ${vars.ADMIN_TOKEN}'`);
  if (started.length > 1) {
    say(`   curl -s ${started[1].instance.baseUrl}/api/v1/tenant -H 'X-API-Key: ${demo.liveKey}'   # 421: that tenant's home is ${started[0].instance.region}`);
  }
  say();
  say(" The cron trigger fires every minute. Press Ctrl+C to stop.");
  say(line);
  say();
}

async function main() {
  const { vars, envFiles, cliVarsOf } = prepareVars();
  for (const instance of instances) applyMigrations(envFiles, instance);
  const children = [];
  const stopTickers = [];
  const shutdown = (code) => {
    for (const stop of stopTickers) stop();
    for (const child of children) {
      if (child.exitCode !== null) continue;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
    }
    process.exit(code);
  };
  process.on("SIGINT", () => shutdown(0));
  process.on("SIGTERM", () => shutdown(0));
  try {
    // One at a time: two `wrangler dev` starting together can pick the same free port for a
    // runtime socket ("Address already in use").
    for (const instance of instances) {
      const child = startWrangler(envFiles, cliVarsOf(instance), instance);
      children.push(child);
      // One Worker stopping stops them all: a half-running set of regions would mislead.
      child.on("exit", (code) => shutdown(code ?? 1));
      await waitUntilHealthy(child, instance);
    }
    const started = await Promise.all(
      instances.map(async (instance) => {
        const demo = await ensureDemoTenant({
          baseUrl: instance.baseUrl,
          adminToken: vars.ADMIN_TOKEN,
          statePath: join(instance.stateDir, "demo-tenant.json"),
          // The sink is on loopback: the outbound-URL policy refuses it unless loopback is allowed.
          slackSinkUrl:
            vars.DEV_SINK === "true" && vars.OUTBOUND_ALLOW_LOOPBACK === "true" ? `${instance.baseUrl}/dev/sink/slack/T0DEMO/B0DEMO/demo-webhook` : undefined,
        });
        return { instance, demo };
      }),
    );
    printBanner(vars, started);
    for (const instance of instances) stopTickers.push(startCronTicker(instance));
  } catch (err) {
    process.stderr.write(`npm start failed: ${err.message}\n`);
    shutdown(1);
  }
}

main().catch((err) => {
  process.stderr.write(`npm start failed: ${err.message}\n`);
  process.exit(1);
});
