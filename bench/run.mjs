#!/usr/bin/env node
// `npm run bench`: throughput of the main routes, measured side by side against a trivial route
// (/healthz) in the same `npm start` server, so the figures are ratios that survive noisy
// machines and the cost of wrangler's dev proxy. Scenarios run in interleaved rounds.
//
// Knobs: BENCH_SECONDS (per scenario per round, default 3), BENCH_ROUNDS (3), BENCH_CONCURRENCY (8).
//
// Then the delivery scenarios (bench/delivery.mjs: mail merges and plain sends followed to the
// local sink; their knobs are listed there). BENCH_ONLY picks parts, comma-separated:
// requests, merge, plain (delivery = merge,plain); all of them by default. Every figure goes to
// bench/results/<date>.json (BENCH_RESULTS overrides the path; an existing file is not overwritten).
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { printDeliveryTable, runDelivery } from "./delivery.mjs";
import { machineFacts } from "./lib/machine.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PARTS = ["requests", "merge", "plain"];
const only = new Set(
  (process.env.BENCH_ONLY ?? PARTS.join(","))
    .split(",")
    .map((s) => s.trim())
    .flatMap((s) => (s === "delivery" ? ["merge", "plain"] : s === "all" ? PARTS : [s]))
    .filter(Boolean),
);
for (const part of only) {
  if (!PARTS.includes(part)) {
    console.error(`BENCH_ONLY: unknown part "${part}" (known: ${PARTS.join(", ")}, delivery, all)`);
    process.exit(2);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startService() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "edge-notify-bench-"));
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: root,
    // node_modules/.bin first, as `npm run` does: wrangler's `#!/usr/bin/env node` needs Node 22,
    // so `node_modules/.bin/node bench/run.mjs` works too on a machine whose own node is older.
    env: { ...process.env, PATH: [join(root, "node_modules", ".bin"), dirname(process.execPath), process.env.PATH].join(delimiter), PORT: String(port), NOTIFY_STATE_DIR: join(dir, "state"), NOTIFY_DEV_VARS: join(dir, ".dev.vars") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let ready = false;
  let errTail = "";
  // Both pipes are read to the end: a full stderr pipe would block the server mid-run. After the
  // banner, only the last 8 KB of either is kept (for the message if the server dies).
  child.stderr.on("data", (d) => {
    errTail = (errTail + d).slice(-8192);
  });
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out = ready ? (out + d).slice(-8192) : out + d;
      if (!ready && out.includes("Press Ctrl+C")) {
        ready = true;
        resolve();
      }
    });
    child.on("exit", (code) => {
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`npm start exited ${code}\n${out}\n${errTail}`));
    });
  });
  const field = (label) => new RegExp(`${label}\\s+(\\S+)`).exec(out)[1];
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    liveKey: field("Live API key"),
    testKey: field("Test API key"),
    adminToken: field("Admin token"),
    tenantId: field("Demo tenant"),
    pid: child.pid,
    stateDir: join(dir, "state"),
    /** Stops the server (waits up to 10 s for it to exit) and removes its state. */
    stop: async () => {
      const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      await new Promise((r) => setTimeout(r, 500));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function jwt(key) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const head = `${b64({ typ: "JWT", alg: "HS256" })}.${b64({ iss: key.slice(-73, -37), iat: Math.floor(Date.now() / 1000) })}`;
  return `${head}.${createHmac("sha256", key.slice(-36)).update(head).digest("base64url")}`;
}

async function measure(name, makeRequest) {
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  const latencies = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const { url, init } = makeRequest();
        const t0 = performance.now();
        const res = await fetch(url, init);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.ok) ok += 1;
        else failed += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { name, rps: ok / seconds, failed, p50: latencies[Math.floor(latencies.length / 2)] ?? 0 };
}

function resultsPath(startedAt) {
  if (process.env.BENCH_RESULTS) return resolve(process.env.BENCH_RESULTS);
  const dir = join(root, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const day = startedAt.toISOString().slice(0, 10);
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? `${day}.json` : `${day}-${n}.json`);
    if (!existsSync(path)) return path;
  }
}

const startedAt = new Date();
const results = { startedAt: startedAt.toISOString(), parts: [...only], machine: machineFacts(root) };
let svc = await startService();
try {
  await fetch(`${svc.baseUrl}/api/v1/tenants/${svc.tenantId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${svc.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ limits: { requestsPerMinute: 1_000_000 } }),
  });
  const json = (key, body) => ({ "x-api-key": key, "content-type": "application/json", ...(body ? {} : {}) });
  // Each send differs (its `n`), so each is a new notification: stored, queued, and checked against
  // the duplicate window, as a real stream of sends is; the same body again would only be replayed.
  let sent = 0;
  const sendBody = () =>
    JSON.stringify({
      params: { name: "Ada", n: String(++sent) },
      email: { recipients: { to: ["ada@example.com"] }, content: { subject: "Hi {{name}} (#{{n}})", body: "**Welcome** {{name}}", bodyType: "markdown" } },
    });
  const scenarios = {
    "GET /healthz (baseline)": () => ({ url: `${svc.baseUrl}/healthz`, init: {} }),
    "GET /api/v1/tenant (X-API-Key)": () => ({ url: `${svc.baseUrl}/api/v1/tenant`, init: { headers: { "x-api-key": svc.liveKey } } }),
    "GET /api/v1/tenant (JWT)": () => ({ url: `${svc.baseUrl}/api/v1/tenant`, init: { headers: { authorization: `Bearer ${jwt(svc.liveKey)}` } } }),
    "POST /notifysimple?preview=true": () => ({
      url: `${svc.baseUrl}/api/v1/notifysimple?preview=true`,
      init: { method: "POST", headers: json(svc.testKey), body: sendBody() },
    }),
    "POST /notifysimple (test key, stored + queued)": () => ({
      url: `${svc.baseUrl}/api/v1/notifysimple`,
      init: { method: "POST", headers: json(svc.testKey), body: sendBody() },
    }),
    // A new Idempotency-Key each time: decided in the admission call, its answer kept by a second.
    "POST /notifysimple + Idempotency-Key (stored + queued)": () => ({
      url: `${svc.baseUrl}/api/v1/notifysimple`,
      init: { method: "POST", headers: { ...json(svc.testKey), "idempotency-key": crypto.randomUUID() }, body: sendBody() },
    }),
  };
  if (only.has("requests")) {
    const totals = Object.fromEntries(Object.keys(scenarios).map((k) => [k, { rps: 0, p50: 0, failed: 0 }]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, make] of Object.entries(scenarios)) {
        const m = await measure(name, make);
        totals[name].rps += m.rps / rounds;
        totals[name].p50 += m.p50 / rounds;
        totals[name].failed += m.failed;
      }
    }
    const base = totals["GET /healthz (baseline)"].rps;
    console.log(`\n${rounds} rounds × ${seconds}s per scenario, concurrency ${concurrency}, through wrangler dev\n`);
    console.log("scenario".padEnd(56), "req/s".padStart(8), "ratio".padStart(7), "p50 ms".padStart(8), "errors".padStart(7));
    for (const [name, t] of Object.entries(totals)) {
      console.log(name.padEnd(56), t.rps.toFixed(0).padStart(8), (t.rps / base).toFixed(2).padStart(7), t.p50.toFixed(1).padStart(8), String(t.failed).padStart(7));
    }
    results.requests = {
      seconds,
      rounds,
      concurrency,
      scenarios: Object.entries(totals).map(([name, t]) => ({ name, rps: Math.round(t.rps), ratio: Math.round((t.rps / base) * 100) / 100, p50Ms: Math.round(t.p50 * 10) / 10, errors: t.failed })),
    };
  }
  if (only.has("merge") || only.has("plain")) {
    // A fresh server (state and workerd) per delivery scenario unless BENCH_FRESH=0: memory is then
    // the scenario's own, and what a timed-out scenario leaves cannot slow the next one.
    const restart =
      process.env.BENCH_FRESH === "0"
        ? undefined
        : async () => {
            await svc.stop();
            // One retry: a server that fails to come up once (killed, port race) should not cost a scenario.
            svc = await startService().catch((err) => {
              console.error(`npm start failed (${err.message.split("\n")[0]}); trying once more`);
              return startService();
            });
            return svc;
          };
    results.delivery = await runDelivery(svc, { merge: only.has("merge"), plain: only.has("plain"), restart, freshAtStart: !only.has("requests") });
    printDeliveryTable(results.delivery);
  }
  results.finishedAt = new Date().toISOString();
  const path = resultsPath(startedAt);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nEvery figure: ${path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path}`);
} finally {
  await svc.stop();
}
