import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { call, json } from "../helpers/http";

describe("/openapi.json", () => {
  it("is OpenAPI 3.1 and lists every route the Worker serves", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const served = buildApp()
      // /dev/* (local sink and inbox, off in production) and /admin (the HTML admin UI) are deliberately not part of the API.
      .routes.filter((r) => r.method !== "ALL" && !r.path.startsWith("/dev/") && r.path !== "/admin" && !r.path.startsWith("/admin/"))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(10);
    for (const route of served) expect(documented, route).toContain(route);
    expect(documented.size).toBe(new Set(served).size);
  });

  it("documents problem responses and security on tenant and operator routes", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    const op = doc.paths["/api/v1/tenants"].post;
    expect(op.security).toEqual([{ operatorToken: [] }]);
    expect(op.responses["400"].content["application/problem+json"].schema.$ref).toBe("#/components/schemas/Problem");
    expect(doc.paths["/api/v1/tenant"].get.security).toEqual([{ tenantJwt: [] }, { tenantApiKey: [] }]);
  });
});

describe("/docs", () => {
  it("serves a page whose assets come from this Worker", async () => {
    const res = await call("GET", "/docs");
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(["/docs/vendor/swagger-ui.css", "/docs/vendor/swagger-ui-bundle.js"]);
    for (const asset of assets) {
      const file = await call("GET", asset);
      expect(file.status, asset).toBe(200);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect((await call("GET", "/docs/vendor/nope.js")).status).toBe(404);
  });
});
