import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asAdmin, call, json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";
import { dramaNumber, storedTexts, twilioInbound } from "../received-texts/helpers";

const numbersOf = (tenantId: string) => `/api/v1/tenants/${tenantId}/inbound-numbers`;

describe("operator: inbound numbers", () => {
  it("assigns a number to a tenant: an inbound SMS sender of that tenant, whose texts and STOPs reach that tenant", async () => {
    const tenant = await createTestTenant(undefined, { settings: { defaultRegion: "GB" } });
    const number = dramaNumber();
    // National form, read in the tenant's defaultRegion like its own senders.
    const res = await asAdmin("POST", numbersOf(tenant.id), { body: { number: `0${number.slice(3)}`, isDefault: true } });
    expect(res.status).toBe(201);
    const assigned = await json(res);
    expect(assigned).toEqual({ id: expect.any(String), sender: number, isDefault: true, inbound: true, createdAt: expect.any(String) });
    expect(res.headers.get("location")).toBe(`${numbersOf(tenant.id)}/${assigned.id}`);
    expect(await json(await asAdmin("GET", numbersOf(tenant.id)))).toEqual({ items: [assigned] });
    // The tenant sees it among its senders.
    expect((await json(await asTenant(tenant, "GET", "/api/v1/tenant/sms-senders"))).items).toEqual([assigned]);

    const from = dramaNumber();
    const { res: hook, sid } = await twilioInbound({ From: from, To: number, Body: "STOP" });
    expect(hook.status).toBe(200);
    expect(await storedTexts(sid)).toEqual([expect.objectContaining({ tenant_id: tenant.id, sms_sender_id: assigned.id, notify_number: number, user_number: from })]);
    const texts = await json(await asTenant(tenant, "GET", "/api/v1/tenant/received-texts"));
    expect(texts.items.map((t: any) => t.content)).toContain("STOP");
    const suppressed = await json(await asTenant(tenant, "GET", `/api/v1/suppressions?channel=sms&recipient=${encodeURIComponent(from)}`));
    expect(suppressed.items).toHaveLength(1);
  });

  it("keeps one tenant per number: another tenant cannot get it (409 at number naming the holder), neither by its key nor by the operator", async () => {
    const [holder, other] = [await createTestTenant(), await createTestTenant()];
    const number = dramaNumber();
    expect((await asAdmin("POST", numbersOf(holder.id), { body: { number } })).status).toBe(201);

    const taken = await asAdmin("POST", numbersOf(other.id), { body: { number } });
    expect(taken.status).toBe(409);
    expect((await json(taken)).errors).toEqual([{ path: "number", message: `${number} already receives texts for tenant ${holder.id}: release it there first` }]);
    const claimed = await asTenant(other, "POST", "/api/v1/tenant/sms-senders", { body: { sender: number, inbound: true } });
    expect(claimed.status).toBe(422);
    expect((await json(claimed)).errors[0].path).toBe("inbound");
    expect((await json(await asAdmin("GET", numbersOf(other.id)))).items).toEqual([]);

    // Texts to it still reach the holder only.
    const { sid } = await twilioInbound({ From: dramaNumber(), To: number, Body: "for the holder" });
    expect((await storedTexts(sid))[0]).toMatchObject({ tenant_id: holder.id });
  });

  it("lets one of several tenants assigned the same number at once have it", async () => {
    const tenants = await Promise.all(Array.from({ length: 5 }, () => createTestTenant()));
    const number = dramaNumber();
    const answers = await Promise.all(tenants.map((t) => asAdmin("POST", numbersOf(t.id), { body: { number } })));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM sms_senders WHERE sender = ? AND inbound = 1").bind(number).first<{ n: number }>())!;
    expect(n).toBe(1);
  });

  it("turns a number the tenant already sends from into its inbound sender in place (200, same id); assigning again changes nothing", async () => {
    const tenant = await createTestTenant();
    const number = dramaNumber();
    const outbound = await json(await asTenant(tenant, "POST", "/api/v1/tenant/sms-senders", { body: { sender: number } }));
    const other = await json(await asTenant(tenant, "POST", "/api/v1/tenant/sms-senders", { body: { sender: "NotifyGC", isDefault: true } }));
    const res = await asAdmin("POST", numbersOf(tenant.id), { body: { number, isDefault: true } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ...outbound, inbound: true, isDefault: true });
    const again = await asAdmin("POST", numbersOf(tenant.id), { body: { number } });
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ ...outbound, inbound: true, isDefault: true });
    const senders = (await json(await asTenant(tenant, "GET", "/api/v1/tenant/sms-senders"))).items;
    expect(senders).toEqual([{ ...outbound, inbound: true, isDefault: true }, { ...other, isDefault: false }]);
  });

  it("releases a number: texts to it are stored for nobody, and another tenant can then be assigned it", async () => {
    const [first, second] = [await createTestTenant(), await createTestTenant()];
    const number = dramaNumber();
    const { id } = await json(await asAdmin("POST", numbersOf(first.id), { body: { number } }));
    // Only the holder's id under the holder's path: another tenant's path is a 404.
    expect((await asAdmin("DELETE", `${numbersOf(second.id)}/${id}`)).status).toBe(404);
    expect((await asAdmin("DELETE", `${numbersOf(first.id)}/${id}`)).status).toBe(204);
    expect((await asAdmin("DELETE", `${numbersOf(first.id)}/${id}`)).status).toBe(404);
    expect((await json(await asAdmin("GET", numbersOf(first.id)))).items).toEqual([]);
    expect((await asTenant(first, "GET", `/api/v1/tenant/sms-senders/${id}`)).status).toBe(404);

    const { res, sid } = await twilioInbound({ From: dramaNumber(), To: number, Body: "anyone?" });
    expect(res.status).toBe(200);
    expect(await storedTexts(sid)).toEqual([]);

    expect((await asAdmin("POST", numbersOf(second.id), { body: { number } })).status).toBe(201);
    const { sid: later } = await twilioInbound({ From: dramaNumber(), To: number, Body: "now yours" });
    expect((await storedTexts(later))[0]).toMatchObject({ tenant_id: second.id });
  });

  it("refuses what cannot receive texts (422 at number), a bad body (400), an unknown tenant (404), an outbound sender's id on release (404)", async () => {
    const tenant = await createTestTenant();
    for (const number of ["NotifyGC", "12345", "+1 555"]) {
      const res = await asAdmin("POST", numbersOf(tenant.id), { body: { number } });
      expect(res.status, number).toBe(422);
      expect((await json(res)).errors[0].path, number).toBe("number");
    }
    for (const body of [{}, { number: "" }, { number: "x".repeat(33) }, { number: dramaNumber(), inbound: true }, { number: dramaNumber(), isDefault: "yes" }]) {
      expect((await asAdmin("POST", numbersOf(tenant.id), { body })).status, JSON.stringify(body)).toBe(400);
    }
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await asAdmin("POST", numbersOf(unknown), { body: { number: dramaNumber() } })).status).toBe(404);
    expect((await asAdmin("GET", numbersOf(unknown))).status).toBe(404);
    const outbound = await json(await asTenant(tenant, "POST", "/api/v1/tenant/sms-senders", { body: { sender: dramaNumber() } }));
    expect((await asAdmin("DELETE", `${numbersOf(tenant.id)}/${outbound.id}`)).status).toBe(404);
    expect((await asTenant(tenant, "GET", `/api/v1/tenant/sms-senders/${outbound.id}`)).status).toBe(200);
  });

  it("are operator routes: a tenant key is refused, and they are in the OpenAPI document under Operator", async () => {
    const tenant = await createTestTenant();
    for (const [method, path] of [["POST", numbersOf(tenant.id)], ["GET", numbersOf(tenant.id)], ["DELETE", `${numbersOf(tenant.id)}/${crypto.randomUUID()}`]] as const) {
      expect((await call(method, path, { headers: { authorization: `Bearer ${tenant.keys.live}` }, body: method === "POST" ? { number: dramaNumber() } : undefined })).status, `${method} ${path}`).toBe(403);
      expect((await call(method, path, { headers: { "x-api-key": tenant.keys.live } })).status, `${method} ${path}`).toBe(401);
    }
    const doc = await json(await call("GET", "/openapi.json"));
    for (const [path, method] of [["/api/v1/tenants/{tenantId}/inbound-numbers", "post"], ["/api/v1/tenants/{tenantId}/inbound-numbers", "get"], ["/api/v1/tenants/{tenantId}/inbound-numbers/{senderId}", "delete"]] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.security).toEqual([{ operatorToken: [] }]);
      expect(op.tags).toEqual(["Operator"]);
    }
  });
});
