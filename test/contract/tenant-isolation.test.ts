import { beforeAll, describe, expect, it } from "vitest";
import { call, json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { tenantResources } from "./tenant-resources";

interface Operation {
  method: string;
  path: string;
  security: string[];
}

async function documentedOperations(): Promise<Operation[]> {
  const doc = await json(await call("GET", "/openapi.json"));
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: Record<string, string[]>[] }>>)) {
    for (const [method, op] of Object.entries(item)) {
      out.push({
        method: method.toUpperCase(),
        // Any syntactically valid id: authentication must be decided before the resource is looked up.
        path: path.replace(/\{[^}]+\}/g, crypto.randomUUID()),
        security: (op.security ?? []).flatMap((s) => Object.keys(s)),
      });
    }
  }
  return out;
}

describe("contract: every tenant route requires tenant credentials", async () => {
  const operations = (await documentedOperations()).filter((o) => o.security.includes("tenantJwt"));

  it("there are tenant routes to check", () => {
    expect(operations.length).toBeGreaterThan(0);
  });

  it.each(operations)("$method $path: 401 without credentials, 403 with a bad key", async ({ method, path }) => {
    const none = await call(method, path, { body: method === "GET" || method === "DELETE" ? undefined : {} });
    expect(none.status).toBe(401);
    const bad = await call(method, path, { headers: { "x-api-key": "nope" } });
    expect(bad.status).toBe(403);
  });
});

describe("contract: every operator route requires the admin token", async () => {
  const operations = (await documentedOperations()).filter((o) => o.security.includes("operatorToken"));
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant();
  });

  it("there are operator routes to check, the inbound numbers' among them (only the operator assigns a number that receives texts)", () => {
    const documented = operations.map((o) => `${o.method} ${o.path.replace(/[0-9a-f-]{36}/g, "{id}")}`);
    for (const route of ["POST /api/v1/tenants/{id}/inbound-numbers", "GET /api/v1/tenants/{id}/inbound-numbers", "DELETE /api/v1/tenants/{id}/inbound-numbers/{id}"]) {
      expect(documented).toContain(route);
    }
  });

  it.each(operations)("$method $path: 401 without it, 403 with a tenant's API key", async ({ method, path }) => {
    expect((await call(method, path)).status).toBe(401);
    const withTenantKey = await call(method, path, { headers: { authorization: `Bearer ${tenant.keys.live}` } });
    expect(withTenantKey.status).toBe(403);
  });
});

describe("contract: a tenant never sees or touches another tenant's data", () => {
  let owner: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    owner = await createTestTenant("Owner");
    other = await createTestTenant("Other");
  });

  it("whoami answers the caller's own tenant only", async () => {
    const mine = await json(await asTenant(other, "GET", "/api/v1/tenant"));
    expect(mine.tenant.id).toBe(other.id);
    expect(JSON.stringify(mine)).not.toContain(owner.id);
  });

  for (const resource of tenantResources) {
    it(`${resource.name}: 404 to another tenant on every operation, absent from its searches, unchanged for its owner`, async () => {
      const { id, read, operations, searches } = await resource.create(owner);
      const before = await asTenant(owner, read.method, read.path, read.options);
      expect(before.status).toBe(200);
      const snapshot = await before.text();
      for (const op of operations) {
        const res = await asTenant(other, op.method, op.path, op.options);
        expect(res.status, `${op.method} ${op.path}`).toBe(404);
        expect(await res.text()).not.toContain(owner.id);
      }
      for (const search of searches) {
        const res = await asTenant(other, search.method, search.path, search.options);
        expect(res.status, `${search.method} ${search.path}`).toBe(200);
        expect(await res.text()).not.toContain(id);
      }
      const after = await asTenant(owner, read.method, read.path, read.options);
      expect(after.status).toBe(200);
      expect(await after.text()).toBe(snapshot);
    });
  }
});
