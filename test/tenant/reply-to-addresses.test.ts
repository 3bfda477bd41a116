import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

const PATH = "/api/v1/tenant/reply-to-addresses";

describe("reply-to addresses", () => {
  it("add (normalised as recipients are), list, get, delete", async () => {
    const tenant = await createTestTenant();
    const created = await asTenant(tenant, "POST", PATH, { body: { email: " Help@ＥＸＡＭＰＬＥ.gov ", isDefault: true } });
    expect(created.status).toBe(201);
    const address = await json(created);
    expect(address).toMatchObject({ email: "Help@example.gov", isDefault: true });
    expect(created.headers.get("location")).toBe(`${PATH}/${address.id}`);
    const second = await json(await asTenant(tenant, "POST", PATH, { body: { email: "ops@example.gov" } }));
    expect(second.isDefault).toBe(false);

    expect(await json(await asTenant(tenant, "GET", `${PATH}/${address.id}`))).toEqual(address);
    const list = await json(await asTenant(tenant, "GET", PATH, { key: tenant.keys.test }));
    expect(list.items.map((a: any) => a.email)).toEqual(["Help@example.gov", "ops@example.gov"]);

    expect((await asTenant(tenant, "DELETE", `${PATH}/${address.id}`)).status).toBe(204);
    expect((await asTenant(tenant, "GET", `${PATH}/${address.id}`)).status).toBe(404);
    expect((await asTenant(tenant, "DELETE", `${PATH}/${address.id}`)).status).toBe(404);
    expect((await json(await asTenant(tenant, "GET", PATH))).items).toHaveLength(1);
  });

  it("refuse an invalid address (422 at email), a repeat (409 at email) and a malformed body (400)", async () => {
    const tenant = await createTestTenant();
    for (const email of ["not-an-address", "a..b@example.com", "ann@localhost", "ann@[127.0.0.1]"]) {
      const res = await asTenant(tenant, "POST", PATH, { body: { email } });
      expect(res.status, email).toBe(422);
      expect((await json(res)).errors[0].path, email).toBe("email");
    }
    expect((await asTenant(tenant, "POST", PATH, { body: { email: "ann@example.com" } })).status).toBe(201);
    const repeat = await asTenant(tenant, "POST", PATH, { body: { email: "ann@EXAMPLE.com" } });
    expect(repeat.status).toBe(409);
    expect((await json(repeat)).errors).toEqual([{ path: "email", message: "ann@example.com is already one of your reply-to addresses" }]);
    for (const body of [{}, { email: "x@example.com", extra: 1 }, { email: "x@example.com", isDefault: "yes" }, { email: `${"a".repeat(321)}@example.com` }]) {
      expect((await asTenant(tenant, "POST", PATH, { body })).status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await asTenant(tenant, "GET", `${PATH}/not-a-uuid`)).status).toBe(400);
  });

  it("keep one default: a new default replaces the old one", async () => {
    const tenant = await createTestTenant();
    const first = await json(await asTenant(tenant, "POST", PATH, { body: { email: "one@example.com", isDefault: true } }));
    const second = await json(await asTenant(tenant, "POST", PATH, { body: { email: "two@example.com", isDefault: true } }));
    const items = (await json(await asTenant(tenant, "GET", PATH))).items;
    expect(items.filter((a: any) => a.isDefault).map((a: any) => a.id)).toEqual([second.id]);
    expect(items.find((a: any) => a.id === first.id).isDefault).toBe(false);
  });

  it("keep exactly one default when 10 defaults are added at once", async () => {
    const tenant = await createTestTenant();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => asTenant(tenant, "POST", PATH, { body: { email: `d${i}@example.com`, isDefault: true } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM reply_to_addresses WHERE tenant_id = ? AND is_default = 1").bind(tenant.id).first<{ n: number }>())!;
    expect(n).toBe(1);
    expect((await json(await asTenant(tenant, "GET", PATH))).items).toHaveLength(10);
  });

  it("hold at most 20 per tenant, also when they arrive at once, without a refused default clearing the old one", async () => {
    const tenant = await createTestTenant();
    const kept = await json(await asTenant(tenant, "POST", PATH, { body: { email: "kept@example.com", isDefault: true } }));
    for (let i = 0; i < 16; i++) expect((await asTenant(tenant, "POST", PATH, { body: { email: `a${i}@example.com` } })).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => asTenant(tenant, "POST", PATH, { body: { email: `race${i}@example.com` } })),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(7);
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM reply_to_addresses WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>())!;
    expect(n).toBe(20);
    const over = await asTenant(tenant, "POST", PATH, { body: { email: "over@example.com", isDefault: true } });
    expect(over.status).toBe(409);
    expect((await json(over)).detail).toBe("A tenant may have at most 20 reply-to addresses; delete one first");
    expect((await json(await asTenant(tenant, "GET", `${PATH}/${kept.id}`))).isDefault).toBe(true);
  });

  it("are the tenant's own: another tenant's id is a 404 and its list does not show them", async () => {
    const owner = await createTestTenant();
    const other = await createTestTenant();
    const { id } = await json(await asTenant(owner, "POST", PATH, { body: { email: "mine@example.com", isDefault: true } }));
    expect((await asTenant(other, "GET", `${PATH}/${id}`)).status).toBe(404);
    expect((await asTenant(other, "DELETE", `${PATH}/${id}`)).status).toBe(404);
    expect((await json(await asTenant(other, "GET", PATH))).items).toEqual([]);
    // The same address may be another tenant's too, default there as well.
    expect((await asTenant(other, "POST", PATH, { body: { email: "mine@example.com", isDefault: true } })).status).toBe(201);
    expect((await asTenant(owner, "GET", `${PATH}/${id}`)).status).toBe(200);
  });
});
