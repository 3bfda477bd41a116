import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `REGIONS=ca,eu npm start` (issue 12): two Workers, two ports, two state directories. The global
// setup starts a single-region server; this file starts its own pair and stops it afterwards.

type RegionName = "ca" | "eu";
interface RegionRun {
  region: RegionName;
  baseUrl: string;
  stateDir: string;
  tenant: { id: string; key: string };
  marker: string;
  notifyId: string;
}

let child: ChildProcess | undefined;
let dir: string | undefined;
let output = "";
let adminToken = "";
const runs = {} as Record<RegionName, RegionRun>;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Two consecutive free ports (npm start puts region i on PORT + i). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error("no two consecutive free ports");
}

function field(label: string): string {
  const match = new RegExp(`${label.replace(/[[\]]/g, "\\$&")}\\s+(\\S+)`).exec(output);
  if (!match) throw new Error(`npm start did not print "${label}"\n${output}`);
  return match[1]!;
}

async function admin(baseUrl: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** A GOV.UK Notify client's token for a combined key: iss = the tenant id, signed with the secret. */
function notifyJwt(key: string): Promise<string> {
  return new SignJWT({ iss: key.slice(-73, -37), iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ typ: "JWT", alg: "HS256" })
    .sign(new TextEncoder().encode(key.slice(-36)));
}

/**
 * A POST over node:http, as the Notify clients make them (axios, requests). Not fetch: the Fetch
 * standard retries a 421 once on a new connection, and Node's fetch then sometimes fails with
 * UND_ERR_REQ_CONTENT_LENGTH_MISMATCH instead of answering it (README "Regions").
 */
function post(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(data)) } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

/** Every file under `root` (SQLite databases and their WAL, R2 blobs, Durable Object storage, …). */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile());
}

function filesContaining(root: string, marker: string): string[] {
  const needle = Buffer.from(marker);
  return filesUnder(root).filter((path) => readFileSync(path).includes(needle));
}

async function waitForDelivery(run: RegionRun): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = "";
  while (Date.now() < deadline) {
    const res = await fetch(`${run.baseUrl}/api/v1/notify/${run.notifyId}`, { headers: { "x-api-key": run.tenant.key } });
    const body = (await res.json()) as { status: string; messages: Array<{ status: string }> };
    last = JSON.stringify(body.messages?.map((m) => m.status));
    if (body.messages?.length === 2 && body.messages.every((m) => m.status === "delivered")) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`region ${run.region}: not delivered within 30 s (${last})`);
}

beforeAll(async () => {
  const port = await freePortPair();
  dir = mkdtempSync(join(tmpdir(), "edge-notify-regions-"));
  const stateDir = join(dir, "state");
  child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...process.env, REGIONS: "ca,eu", PORT: String(port), NOTIFY_STATE_DIR: stateDir, NOTIFY_DEV_VARS: join(dir, ".dev.vars") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr!.on("data", (d) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`REGIONS=ca,eu npm start did not come up in 170 s\n${output}`)), 170_000);
    child!.stdout!.on("data", (d) => {
      output += d.toString();
      if (output.includes("Press Ctrl+C to stop")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child!.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}\n${output}`));
    });
  });
  child.removeAllListeners("exit");
  adminToken = field("Admin token");
  const unique = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  for (const region of ["ca", "eu"] as const) {
    const baseUrl = field(`[${region}] Base URL`);
    // A tenant of the region's own, created as an operator would, with a live key.
    const created = await admin(baseUrl, "POST", "/api/v1/tenants", { name: `Regions e2e ${region}`, status: "live", region });
    const key = (await admin(baseUrl, "POST", `/api/v1/tenants/${created.id}/api-keys`, { name: "e2e", type: "live" })).key as string;
    runs[region] = { region, baseUrl, stateDir: join(stateDir, region), tenant: { id: created.id, key }, marker: `zq${region}${unique}`, notifyId: "" };
  }
  // Send through both regions at once, each with its own marker in the content and the recipients.
  await Promise.all(
    Object.values(runs).map(async (run) => {
      const res = await fetch(`${run.baseUrl}/api/v1/notifysimple`, {
        method: "POST",
        headers: { "x-api-key": run.tenant.key, "content-type": "application/json" },
        body: JSON.stringify({
          params: { ref: run.marker },
          email: { recipients: { to: [`${run.marker}@example.com`] }, content: { subject: `Case {{ref}}`, body: `Hello, your case ${run.marker} is open.` } },
          sms: { recipients: { to: ["+17787001234"] }, content: { body: `Case {{ref}} is open` } },
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      run.notifyId = ((await res.json()) as { notifyId: string }).notifyId;
    }),
  );
  await Promise.all(Object.values(runs).map(waitForDelivery));
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("REGIONS=ca,eu npm start", () => {
  it("homes each region's tenants there (the id says so) and lists both regions", async () => {
    for (const run of Object.values(runs)) {
      const regions = (await (await fetch(`${run.baseUrl}/api/v1/regions`)).json()) as { current: string; regions: Array<{ region: string; baseUrl: string }> };
      expect(regions.current).toBe(run.region);
      expect(regions.regions).toEqual([
        { region: "ca", baseUrl: runs.ca.baseUrl },
        { region: "eu", baseUrl: runs.eu.baseUrl },
      ]);
      const tenant = await admin(run.baseUrl, "GET", `/api/v1/tenants/${run.tenant.id}`);
      expect(tenant.region).toBe(run.region);
    }
  });

  it("keeps each region's data in its own state: the marker is in its region's files and in none of the other's", () => {
    for (const run of Object.values(runs)) {
      const other = run.region === "ca" ? runs.eu : runs.ca;
      // The grep works: the send is stored (D1, R2) in its own region's state.
      expect(filesContaining(run.stateDir, run.marker).length).toBeGreaterThan(0);
      expect(filesUnder(other.stateDir).length).toBeGreaterThan(0);
      expect(filesContaining(other.stateDir, run.marker)).toEqual([]);
    }
  });

  it("logs neither region's recipients nor content", () => {
    expect(output).toContain("POST /api/v1/notifysimple");
    for (const run of Object.values(runs)) expect(output).not.toContain(run.marker);
  });

  it("answers each tenant's key with 421 in the other region, naming the home base URL, and stores nothing of the request there", async () => {
    for (const run of Object.values(runs)) {
      const other = run.region === "ca" ? runs.eu : runs.ca;
      const credentials: Array<Record<string, string>> = [{ "x-api-key": run.tenant.key }, { authorization: `Bearer ${await notifyJwt(run.tenant.key)}` }];
      for (const headers of credentials) {
        const res = await post(`${other.baseUrl}/api/v1/notifysimple`, headers, {
          email: { recipients: { to: [`${run.marker}@example.com`] }, content: { subject: "s", body: run.marker } },
        });
        expect(res.status).toBe(421);
        expect(res.body.type).toBe("/problems/misdirected");
        expect(res.body.detail).toContain(run.baseUrl);
      }
      const v2 = await post(
        `${other.baseUrl}/v2/notifications/email`,
        { authorization: `Bearer ${await notifyJwt(run.tenant.key)}` },
        { email_address: `${run.marker}@example.com`, template_id: crypto.randomUUID() },
      );
      expect(v2.status).toBe(421);
      expect(v2.body.errors[0].message).toContain(run.baseUrl);
      expect(filesContaining(other.stateDir, run.marker)).toEqual([]);
    }
  });
});
