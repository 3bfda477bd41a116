import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { ADMIN_TOKEN, call, json } from "../helpers/http";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Trailing slash");
});

/** Every concrete route of the app, with path parameters filled in. */
function routes(): { method: string; path: string }[] {
  const seen = new Set<string>();
  return buildApp()
    .routes.filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
    .map((r) => ({ method: r.method.toUpperCase(), path: r.path.replace(/:[^/]+/g, crypto.randomUUID()) }))
    .filter((r) => {
      const key = `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ":id")}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

const credential = (path: string): Record<string, string> =>
  path.startsWith("/api/v1/tenants") ? { authorization: `Bearer ${ADMIN_TOKEN}` } : { "x-api-key": tenant.keys.test };

describe("a trailing slash names the same resource", () => {
  it("GET /api/v1/notify/ is the history, not a 405 telling the caller to use GET", async () => {
    const res = await call("GET", "/api/v1/notify/", { headers: credential("/api/v1/notify") });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ items: [], nextCursor: null });
  });

  it("every route answers the same status with and without a trailing slash, and never a 405 naming the method used", async () => {
    const checked = routes();
    expect(checked.length).toBeGreaterThan(20);
    for (const { method, path } of checked) {
      const headers = { ...credential(path), "content-type": "application/json" };
      const body = method === "GET" || method === "HEAD" ? undefined : "{}";
      const plain = await call(method, path, { headers, rawBody: body });
      const slashed = await call(method, `${path}/`, { headers, rawBody: body });
      expect.soft(slashed.status, `${method} ${path}/`).toBe(plain.status);
      if (slashed.status === 405) expect.soft(slashed.headers.get("allow") ?? "", `${method} ${path}/`).not.toContain(method);
      await plain.body?.cancel();
      await slashed.body?.cancel();
    }
  });

  it("still answers 405 with Allow for a method the path does not have, slash or not", async () => {
    const res = await call("PUT", "/api/v1/notify/", { headers: credential("/api/v1/notify") });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});
