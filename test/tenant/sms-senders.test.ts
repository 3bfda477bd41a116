import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

const PATH = "/api/v1/tenant/sms-senders";
/** A number no other test file uses. */
const uniqueNumber = () => `+1778${String(Math.floor(2_000_000 + Math.random() * 7_000_000))}`;

describe("SMS senders", () => {
  it("add (numbers normalised to E.164 in the tenant's region, ids and short codes as given), list, get, delete", async () => {
    const tenant = await createTestTenant(undefined, { settings: { defaultRegion: "CA" } });
    const number = await asTenant(tenant, "POST", PATH, { body: { sender: "(778) 700-1234", isDefault: true } });
    expect(number.status).toBe(201);
    const created = await json(number);
    expect(created).toMatchObject({ sender: "+17787001234", isDefault: true, inbound: false });
    expect(number.headers.get("location")).toBe(`${PATH}/${created.id}`);
    expect((await json(await asTenant(tenant, "POST", PATH, { body: { sender: "Notify GC" } }))).sender).toBe("Notify GC");
    expect((await json(await asTenant(tenant, "POST", PATH, { body: { sender: "12345" } }))).sender).toBe("12345");

    expect(await json(await asTenant(tenant, "GET", `${PATH}/${created.id}`, { key: tenant.keys.test }))).toEqual(created);
    expect((await json(await asTenant(tenant, "GET", PATH))).items.map((s: any) => s.sender)).toEqual(["+17787001234", "Notify GC", "12345"]);
    expect((await asTenant(tenant, "DELETE", `${PATH}/${created.id}`)).status).toBe(204);
    expect((await asTenant(tenant, "GET", `${PATH}/${created.id}`)).status).toBe(404);
  });

  it("refuse what a send would refuse (422 at sender), inbound (422 at inbound), a repeat (409 at sender)", async () => {
    const tenant = await createTestTenant();
    for (const sender of ["Notify\u0000", "TooLongSenderId", "123456789012345678", "+1 555", "Notify_GC", "+999123456789"]) {
      const res = await asTenant(tenant, "POST", PATH, { body: { sender } });
      expect(res.status, sender).toBe(422);
      expect((await json(res)).errors[0].path, sender).toBe("sender");
    }
    for (const sender of ["NotifyGC", "12345"]) {
      const res = await asTenant(tenant, "POST", PATH, { body: { sender, inbound: true } });
      expect(res.status, sender).toBe(422);
      expect((await json(res)).errors[0].path, sender).toBe("inbound");
    }
    expect((await asTenant(tenant, "POST", PATH, { body: { sender: "+17787001234" } })).status).toBe(201);
    const repeat = await asTenant(tenant, "POST", PATH, { body: { sender: "+1 778 700 1234" } });
    expect(repeat.status).toBe(409);
    expect((await json(repeat)).errors[0].path).toBe("sender");
    for (const body of [{}, { sender: "" }, { sender: "x".repeat(33) }, { sender: "NotifyGC", inbound: "yes" }, { sender: "NotifyGC", other: 1 }]) {
      expect((await asTenant(tenant, "POST", PATH, { body })).status, JSON.stringify(body)).toBe(400);
    }
  });

  it("refuse inbound: true from a tenant key (422 at inbound: the operator assigns inbound numbers), whatever the number", async () => {
    const tenant = await createTestTenant();
    const number = uniqueNumber();
    const refused = await asTenant(tenant, "POST", PATH, { body: { sender: number, inbound: true } });
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = await json(refused);
    expect(problem.errors).toEqual([{ path: "inbound", message: expect.stringContaining("assigned by the operator") }]);
    expect((await json(await asTenant(tenant, "GET", PATH))).items).toEqual([]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM sms_senders WHERE sender = ?").bind(number).first<{ n: number }>())!.n).toBe(0);
    // The same number as an outbound sender, and inbound: false, are fine.
    const outbound = await asTenant(tenant, "POST", PATH, { body: { sender: number, inbound: false } });
    expect(outbound.status).toBe(201);
    expect(await json(outbound)).toMatchObject({ sender: number, inbound: false });
  });

  it("keep exactly one default when 10 defaults are added at once", async () => {
    const tenant = await createTestTenant();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => asTenant(tenant, "POST", PATH, { body: { sender: `Sender${i}`, isDefault: true } })));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
    const items = (await json(await asTenant(tenant, "GET", PATH))).items;
    expect(items).toHaveLength(10);
    expect(items.filter((s: any) => s.isDefault)).toHaveLength(1);
  });

  it("hold at most 20 per tenant, also when they arrive at once", async () => {
    const tenant = await createTestTenant();
    const kept = await json(await asTenant(tenant, "POST", PATH, { body: { sender: "Kept", isDefault: true } }));
    for (let i = 0; i < 16; i++) expect((await asTenant(tenant, "POST", PATH, { body: { sender: `Pre${i}` } })).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => asTenant(tenant, "POST", PATH, { body: { sender: `Race${i}`, isDefault: true } })));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(7);
    const items = (await json(await asTenant(tenant, "GET", PATH))).items;
    expect(items).toHaveLength(20);
    expect(items.filter((s: any) => s.isDefault)).toHaveLength(1);
    expect(items.find((s: any) => s.id === kept.id).isDefault).toBe(false);
  });

  it("are the tenant's own: another tenant's id is a 404 and its list does not show them", async () => {
    const owner = await createTestTenant();
    const other = await createTestTenant();
    const { id } = await json(await asTenant(owner, "POST", PATH, { body: { sender: "Mine" } }));
    expect((await asTenant(other, "GET", `${PATH}/${id}`)).status).toBe(404);
    expect((await asTenant(other, "DELETE", `${PATH}/${id}`)).status).toBe(404);
    expect((await json(await asTenant(other, "GET", PATH))).items).toEqual([]);
    expect((await asTenant(owner, "GET", `${PATH}/${id}`)).status).toBe(200);
  });
});
