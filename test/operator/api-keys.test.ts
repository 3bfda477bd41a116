import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asAdmin, call, json } from "../helpers/http";
import { createTestTenant } from "../helpers/tenants";

describe("operator: API keys", () => {
  it("issues a key once in combined form and never shows the secret again", async () => {
    const { id: tenantId } = await json(await asAdmin("POST", "/api/v1/tenants", { body: { name: "Keys" } }));
    const res = await asAdmin("POST", `/api/v1/tenants/${tenantId}/api-keys`, { body: { name: "CI Server", type: "team" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const created = await json(res);
    expect(created).toMatchObject({ tenantId, name: "CI Server", type: "team", revokedAt: null, lastUsedAt: null });
    expect(created.key).toMatch(new RegExp(`^ci_server-${tenantId}-[0-9a-f-]{36}$`));
    const secret = created.key.slice(-36);

    const list = await json(await asAdmin("GET", `/api/v1/tenants/${tenantId}/api-keys`));
    expect(list.items).toEqual([
      { id: created.id, tenantId, name: "CI Server", type: "team", permissions: ["send", "read"], createdAt: created.createdAt, revokedAt: null, lastUsedAt: null },
    ]);
    expect(JSON.stringify(list)).not.toContain(secret);

    // At rest: a hash and a ciphertext, never the secret.
    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(created.id).first<Record<string, string>>();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row!.secret_ciphertext).toMatch(/^v1\./);
  });

  it("revokes a key: it stops working at once, and revoking again is harmless", async () => {
    const tenant = await createTestTenant();
    const ok = await call("GET", "/api/v1/tenant", { headers: { "x-api-key": tenant.keys.live } });
    expect(ok.status).toBe(200);

    const del = await asAdmin("DELETE", `/api/v1/tenants/${tenant.id}/api-keys/${tenant.keyIds.live}`);
    expect(del.status).toBe(204);
    expect((await asAdmin("DELETE", `/api/v1/tenants/${tenant.id}/api-keys/${tenant.keyIds.live}`)).status).toBe(204);

    const refused = await call("GET", "/api/v1/tenant", { headers: { "x-api-key": tenant.keys.live } });
    expect(refused.status).toBe(403);
    expect((await json(refused)).detail).toBe("Invalid API key: API key revoked");

    const list = await json(await asAdmin("GET", `/api/v1/tenants/${tenant.id}/api-keys`));
    const live = list.items.find((k: { id: string }) => k.id === tenant.keyIds.live);
    expect(live.revokedAt).toEqual(expect.any(String));
  });

  it("404s keys and tenants that do not exist, or belong elsewhere", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    expect((await asAdmin("DELETE", `/api/v1/tenants/${b.id}/api-keys/${a.keyIds.live}`)).status).toBe(404);
    expect((await asAdmin("GET", `/api/v1/tenants/${crypto.randomUUID()}/api-keys`)).status).toBe(404);
    const create = await asAdmin("POST", `/api/v1/tenants/${crypto.randomUUID()}/api-keys`, { body: { name: "x", type: "live" } });
    expect(create.status).toBe(404);
  });

  it("validates name and type", async () => {
    const tenant = await createTestTenant();
    const res = await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: "", type: "normal" } });
    expect(res.status).toBe(400);
    const paths = (await json(res)).errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(["name", "type"]);
  });
});

describe("manage is for live keys only", () => {
  it("refuses manage on team and test keys, naming permissions", async () => {
    const tenant = await json(await asAdmin("POST", "/api/v1/tenants", { body: { name: "Manage rule", status: "live" } }));
    for (const type of ["team", "test"]) {
      const res = await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: `${type} manager`, type, permissions: ["send", "read", "manage"] } });
      expect(res.status, type).toBe(400);
      expect((await json(res)).errors).toEqual([{ path: "permissions", message: expect.stringMatching(/^Only live keys may have the manage permission/) }]);
    }
    const live = await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: "live manager", type: "live", permissions: ["manage"] } });
    expect(live.status).toBe(201);
  });
});
