import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { ADMIN_TOKEN, BASE, json, notifyToken } from "../helpers/http";

// The spellings a careless or hostile client can give another region's tenant id (case, percent
// encoding, every route family and credential form): each is a 421 naming the home region, before
// D1 is touched; a marker of no region, or of this region on no tenant, is an ordinary refusal.
// Found holding in an attack run against `REGIONS=ca,eu npm start` (issue 12); kept as regression.

const BASE_URLS = "ca=https://ca.notify.test,eu=https://eu.notify.test";

function regionEnv(region: "ca" | "eu", extra: Partial<Env> = {}): Env {
  return { ...env, DATA_REGION: region, REGION_BASE_URLS: BASE_URLS, DO_JURISDICTION: "none", ...extra } as Env;
}

/** A D1 binding that fails the test if anything is read or written through it. */
const untouchableDb = new Proxy({} as D1Database, {
  get(_, prop) {
    if (prop === "then") return undefined;
    return () => {
      throw new Error(`D1 was used (${String(prop)}) on a misdirected request`);
    };
  },
});

async function fetchAs(testEnv: Env, method: string, path: string, init: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const req = new Request(`${BASE}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return worker.fetch(req, testEnv, createExecutionContext());
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function caTenant() {
  const ca = regionEnv("ca");
  const tenant = await json<{ id: string }>(await fetchAs(ca, "POST", "/api/v1/tenants", { headers: admin, body: { name: "Tenant of ca", status: "live" } }));
  const key = await json<{ key: string }>(await fetchAs(ca, "POST", `/api/v1/tenants/${tenant.id}/api-keys`, { headers: admin, body: { name: "live", type: "live" } }));
  return { id: tenant.id, key: key.key, secret: key.key.slice(-36) };
}

describe("another region's tenant, however it is spelled", () => {
  it("is a 421 on every route family and credential form, D1 untouched", async () => {
    const t = await caTenant();
    const eu = regionEnv("eu", { DB: untouchableDb });
    const upperKey = `live-${t.id.toUpperCase()}-${t.secret}`;
    const jwt = await notifyToken(t.key);
    const email = { email_address: "marker@example.com", template_id: crypto.randomUUID(), personalisation: { name: "marker" } };
    const cases: Array<[string, string, Record<string, string>, unknown?]> = [
      ["GET", "/api/v1/tenant", { "x-api-key": upperKey }],
      ["POST", "/api/v1/suppressions", { "x-api-key": t.key }, { channel: "email", recipient: "marker@example.com" }],
      ["GET", "/api/v1/suppressions?recipient=marker%40example.com", { authorization: `ApiKey-v1 ${t.key}` }],
      ["POST", "/notifications/email", { authorization: `Bearer ${jwt}` }, { to: "marker@example.com", template: crypto.randomUUID() }],
      ["GET", "/notifications", { "x-api-key": t.key }],
      ["POST", "/gcnotify/v2/notifications/bulk", { authorization: `Bearer ${jwt}` }, { name: "m", template_id: crypto.randomUUID(), rows: [["email address"], ["marker@example.com"]] }],
      ["POST", "/v2/notifications/email", { "x-api-key": t.key }, email],
      ["GET", "/v2/received-text-messages", { authorization: `Bearer ${jwt}` }],
      ["GET", `/api/v1/tenants/${t.id.toUpperCase()}`, admin],
      ["GET", `/api/v1/tenants/${t.id.replaceAll("-", "%2D")}`, admin],
      ["GET", `/api/v1/tenants/${t.id}/`, admin],
      ["POST", `/api/v1/tenants/${t.id}/inbound-numbers`, admin, { number: "+17785550199" }],
      ["DELETE", `/api/v1/tenants/${t.id}/inbound-numbers/${crypto.randomUUID()}`, admin],
      ["DELETE", `/api/v1/tenants/${t.id}/api-keys/${crypto.randomUUID()}`, admin],
    ];
    for (const [method, path, headers, body] of cases) {
      const res = await fetchAs(eu, method, path, { headers, body });
      expect(res.status, `${method} ${path}`).toBe(421);
      expect(res.headers.get("link"), `${method} ${path}`).toBe('<https://ca.notify.test>; rel="alternate"; title="home region ca"');
      expect(JSON.stringify(await json(res)), `${method} ${path}`).toContain("Send its requests to https://ca.notify.test");
    }
  });

  it("an iss that is not exactly a UUID is refused as a credential, never read as some other tenant", async () => {
    const t = await caTenant();
    const { SignJWT } = await import("jose");
    const eu = regionEnv("eu");
    for (const iss of [` ${t.id}`, `${t.id}\n`, `{${t.id}}`, `urn:uuid:${t.id}`]) {
      const token = await new SignJWT({ iss, iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(t.secret));
      const res = await fetchAs(eu, "GET", "/api/v1/tenant", { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, JSON.stringify(iss)).toBe(403);
    }
    const upper = await new SignJWT({ iss: t.id.toUpperCase(), iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(t.secret));
    expect((await fetchAs(regionEnv("eu", { DB: untouchableDb }), "GET", "/api/v1/tenant", { headers: { authorization: `Bearer ${upper}` } })).status).toBe(421);
  });

  it("a marker of no region, or of this region on no tenant, is a 403, not a 421", async () => {
    const t = await caTenant();
    const eu = regionEnv("eu");
    for (const code of ["0000", "0009", "ffff", "0002"]) {
      const id = `${t.id.slice(0, -8)}ed9e${code}`;
      const res = await fetchAs(eu, "GET", "/api/v1/tenant", { headers: { "x-api-key": `live-${id}-${t.secret}` } });
      expect(res.status, code).toBe(403);
    }
  });
});
