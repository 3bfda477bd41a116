import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { ApiError } from "../../src/lib/errors/api-error";
import { uuidv7 } from "../../src/lib/ids";
import { dataRegion, durablePlacement, homeOfTenantId, markTenantId, placedNamespace, regionBaseUrls } from "../../src/lib/regions";
import { ADMIN_TOKEN, BASE, json, notifyToken } from "../helpers/http";

const BASE_URLS = "ca=https://ca.notify.test,eu=https://eu.notify.test,us=https://us.notify.test";

/** This suite's Worker as the deployment of `region` (the suite's D1, R2 and objects; its own vars). */
function regionEnv(region: "ca" | "eu" | "us", extra: Partial<Env> = {}): Env {
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

async function tenantIn(region: "ca" | "eu" | "us") {
  const testEnv = regionEnv(region);
  const res = await fetchAs(testEnv, "POST", "/api/v1/tenants", { headers: admin, body: { name: `Tenant of ${region}`, status: "live" } });
  expect(res.status).toBe(201);
  const tenant = await json<{ id: string; region: string }>(res);
  const key = await json<{ key: string }>(await fetchAs(testEnv, "POST", `/api/v1/tenants/${tenant.id}/api-keys`, { headers: admin, body: { name: "live", type: "live" } }));
  return { ...tenant, key: key.key };
}

describe("the region marker in tenant ids", () => {
  it("round-trips every region and keeps a valid, time-ordered UUIDv7", () => {
    for (const region of ["ca", "eu", "us"] as const) {
      const id = markTenantId(uuidv7(), region);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{4}ed9e[0-9a-f]{4}$/);
      expect(homeOfTenantId(id)).toBe(region);
      expect(homeOfTenantId(id.toUpperCase())).toBe(region);
    }
    const a = markTenantId(uuidv7(1_000), "eu");
    const b = markTenantId(uuidv7(2_000), "ca");
    expect(a < b).toBe(true);
  });

  it("reads no home from unmarked ids or unknown codes", () => {
    expect(homeOfTenantId("0193b1c2-7d4e-7a00-8b1c-1f2e3d4c5b6a")).toBeNull();
    expect(homeOfTenantId("0193b1c2-7d4e-7a00-8b1c-1f2eed9e0099")).toBeNull();
    expect(homeOfTenantId("not-a-uuid")).toBeNull();
  });
});

describe("region configuration", () => {
  it("parses REGION_BASE_URLS and refuses typos with a 503", () => {
    expect(regionBaseUrls({ REGION_BASE_URLS: "ca=https://ca.example/, eu=http://127.0.0.1:8788" })).toEqual([
      { region: "ca", baseUrl: "https://ca.example" },
      { region: "eu", baseUrl: "http://127.0.0.1:8788" },
    ]);
    expect(regionBaseUrls({})).toEqual([]);
    // A trailing or doubled comma is an empty entry, read as nothing.
    expect(regionBaseUrls({ REGION_BASE_URLS: "ca=https://ca.example,,eu=https://eu.example," }).map((r) => r.region)).toEqual(["ca", "eu"]);
    for (const bad of ["xx=https://x.example", "ca=ftp://x.example", "ca", "ca=not a url"]) {
      expect(() => regionBaseUrls({ REGION_BASE_URLS: bad })).toThrow(ApiError);
    }
    expect(() => dataRegion({ DATA_REGION: "uk" })).toThrow(/DATA_REGION must be one of ca, eu, us/);
  });

  it("puts Durable Objects in the jurisdiction, refuses the local override outside local development", () => {
    expect(durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "eu" })).toEqual({ jurisdiction: "eu" });
    expect(durablePlacement({ DATA_REGION: "ca", DO_JURISDICTION: "none", DO_LOCATION_HINT: "enam" })).toEqual({ locationHint: "enam" });
    expect(durablePlacement({})).toEqual({});
    // A regional deployment must say where its objects live.
    expect(() => durablePlacement({ DATA_REGION: "eu" })).toThrow(/DO_JURISDICTION is not/);
    expect(() => durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "europe" })).toThrow(/DO_JURISDICTION must be/);
    // ...and the region's own: an eu deployment's objects in no jurisdiction, or in the us one, is a mistake.
    expect(() => durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "none" })).toThrow(/for region eu must be eu/);
    expect(() => durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "us" })).toThrow(/for region eu must be eu/);
    expect(() => durablePlacement({ DATA_REGION: "ca", DO_JURISDICTION: "eu" })).toThrow(/for region ca must be none/);
    expect(durablePlacement({ DATA_REGION: "us", DO_JURISDICTION: "fedramp" })).toEqual({ jurisdiction: "fedramp" });
    expect(() => durablePlacement({ DO_JURISDICTION: "none", DO_LOCATION_HINT: "mars" })).toThrow(/DO_LOCATION_HINT/);
    // The override is local workerd's only (it does not implement jurisdictions)...
    expect(durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "eu", DO_JURISDICTION_DEV_OVERRIDE: "ignore", DEV_SINK: "true" })).toEqual({});
    // ...and anything else asking for it fails closed.
    expect(() => durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "eu", DO_JURISDICTION_DEV_OVERRIDE: "ignore" })).toThrow(/local workerd only/);
    expect(() => durablePlacement({ DATA_REGION: "eu", DO_JURISDICTION: "eu", DO_JURISDICTION_DEV_OVERRIDE: "yes", DEV_SINK: "true" })).toThrow(/local workerd only/);
  });

  it("asks the namespace for the jurisdiction (which local workerd refuses, hence the override)", () => {
    expect(() => placedNamespace({ DATA_REGION: "eu", DO_JURISDICTION: "eu" }, env.TENANT_GATE)).toThrow(/not implemented in workerd/);
    const { namespace, options } = placedNamespace({ DATA_REGION: "ca", DO_JURISDICTION: "none", DO_LOCATION_HINT: "enam" }, env.TENANT_GATE);
    expect(namespace).toBe(env.TENANT_GATE);
    expect(options).toEqual({ locationHint: "enam" });
  });

  it("a regional deployment whose Durable Object placement is unsafe refuses to send (503), it does not fall back", async () => {
    const tenant = await tenantIn("eu");
    const res = await fetchAs(regionEnv("eu", { DO_JURISDICTION_DEV_OVERRIDE: "ignore" }), "POST", "/api/v1/notifysimple/email", {
      headers: { "x-api-key": tenant.key },
      body: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } },
    });
    expect(res.status).toBe(503);
    expect((await json(res)).detail).toMatch(/DO_JURISDICTION_DEV_OVERRIDE/);
  });
});

describe("tenants' home region", () => {
  it("is the deployment's at creation, shown on the tenant, and marked in its id", async () => {
    const tenant = await tenantIn("ca");
    expect(tenant.region).toBe("ca");
    expect(homeOfTenantId(tenant.id)).toBe("ca");
    const got = await json(await fetchAs(regionEnv("ca"), "GET", `/api/v1/tenants/${tenant.id}`, { headers: admin }));
    expect(got.region).toBe("ca");
    // Named explicitly: the same.
    const named = await fetchAs(regionEnv("us"), "POST", "/api/v1/tenants", { headers: admin, body: { name: "US named", region: "us" } });
    expect(named.status).toBe(201);
    expect(homeOfTenantId((await json(named)).id)).toBe("us");
  });

  it("another region is refused at creation, naming where to create it", async () => {
    const res = await fetchAs(regionEnv("ca"), "POST", "/api/v1/tenants", { headers: admin, body: { name: "Elsewhere", region: "eu" } });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toEqual([{ path: "region", message: "This is region ca: create a tenant of region eu at https://eu.notify.test/api/v1/tenants" }]);
    // A single-region deployment takes no region.
    const single = await fetchAs(env as Env, "POST", "/api/v1/tenants", { headers: admin, body: { name: "Single", region: "ca" } });
    expect(single.status).toBe(422);
    const plain = await json(await fetchAs(env as Env, "POST", "/api/v1/tenants", { headers: admin, body: { name: "Single" } }));
    expect(plain.region).toBeNull();
    expect(homeOfTenantId(plain.id)).toBeNull();
  });

  it("cannot change; the region it has already is accepted (a client sending back what it read)", async () => {
    const tenant = await tenantIn("ca");
    for (const region of ["eu", "us"]) {
      const res = await fetchAs(regionEnv("ca"), "PATCH", `/api/v1/tenants/${tenant.id}`, { headers: admin, body: { region } });
      expect(res.status).toBe(422);
      expect((await json(res)).errors[0].path).toBe("region");
    }
    const same = await fetchAs(regionEnv("ca"), "PATCH", `/api/v1/tenants/${tenant.id}`, { headers: admin, body: { region: "ca", name: "Renamed" } });
    expect(same.status).toBe(200);
    expect(await json(same)).toMatchObject({ region: "ca", name: "Renamed" });
  });

  it("an unmarked (pre-region) tenant belongs to the deployment that holds it", async () => {
    const legacy = await json(await fetchAs(env as Env, "POST", "/api/v1/tenants", { headers: admin, body: { name: "Before regions", status: "live" } }));
    const key = (await json(await fetchAs(env as Env, "POST", `/api/v1/tenants/${legacy.id}/api-keys`, { headers: admin, body: { name: "k", type: "live" } }))).key;
    const res = await fetchAs(regionEnv("eu"), "GET", "/api/v1/tenant", { headers: { "x-api-key": key } });
    expect(res.status).toBe(200);
    expect((await json(await fetchAs(regionEnv("eu"), "GET", `/api/v1/tenants/${legacy.id}`, { headers: admin }))).region).toBe("eu");
  });
});

describe("a tenant's requests in another region", () => {
  it("get a 421 naming the home base URL, with X-API-Key, a JWT and ApiKey-v1, before D1 is touched", async () => {
    const tenant = await tenantIn("ca");
    const eu = regionEnv("eu", { DB: untouchableDb });
    const body = { recipients: { to: ["marker@example.com"] }, content: { subject: "s", body: "b" } };
    const credentials: Array<Record<string, string>> = [
      { "x-api-key": tenant.key },
      { authorization: `Bearer ${await notifyToken(tenant.key)}` },
      { authorization: `ApiKey-v1 ${tenant.key}` },
    ];
    for (const headers of credentials) {
      const res = await fetchAs(eu, "POST", "/api/v1/notifysimple/email", { headers, body });
      expect(res.status).toBe(421);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.headers.get("link")).toBe('<https://ca.notify.test>; rel="alternate"; title="home region ca"');
      const problem = await json(res);
      expect(problem.type).toBe("/problems/misdirected");
      expect(problem.detail).toBe("This tenant's home region is ca; this is region eu. Send its requests to https://ca.notify.test");
    }
    // The home region answers it.
    const home = await fetchAs(regionEnv("ca"), "GET", "/api/v1/tenant", { headers: { "x-api-key": tenant.key } });
    expect(home.status).toBe(200);
  });

  it("Notify v2 routes answer the 421 in Notify's error shape", async () => {
    const tenant = await tenantIn("eu");
    for (const prefix of ["/v2", "/gcnotify/v2"]) {
      const res = await fetchAs(regionEnv("us", { DB: untouchableDb }), "POST", `${prefix}/notifications/email`, {
        headers: { authorization: `Bearer ${await notifyToken(tenant.key)}` },
        body: { email_address: "marker@example.com", template_id: crypto.randomUUID() },
      });
      expect(res.status).toBe(421);
      expect(await json(res)).toEqual({
        status_code: 421,
        errors: [{ error: "AuthError", message: "This tenant's home region is eu; this is region us. Send its requests to https://eu.notify.test" }],
      });
    }
  });

  it("operator routes on another region's tenant get the 421 too", async () => {
    const tenant = await tenantIn("ca");
    for (const [method, path] of [
      ["GET", `/api/v1/tenants/${tenant.id}`],
      ["PATCH", `/api/v1/tenants/${tenant.id}`],
      ["POST", `/api/v1/tenants/${tenant.id}/api-keys`],
    ] as const) {
      const res = await fetchAs(regionEnv("us", { DB: untouchableDb }), method, path, { headers: admin, body: method === "GET" ? undefined : { name: "x", type: "live" } });
      expect(res.status, `${method} ${path}`).toBe(421);
    }
  });
});

describe("GET /api/v1/regions", () => {
  it("lists the regions and their base URLs, without credentials", async () => {
    const res = await fetchAs(regionEnv("eu"), "GET", "/api/v1/regions");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      current: "eu",
      regions: [
        { region: "ca", baseUrl: "https://ca.notify.test" },
        { region: "eu", baseUrl: "https://eu.notify.test" },
        { region: "us", baseUrl: "https://us.notify.test" },
      ],
    });
    expect(await json(await fetchAs(env as Env, "GET", "/api/v1/regions"))).toEqual({ current: null, regions: [] });
  });
});
