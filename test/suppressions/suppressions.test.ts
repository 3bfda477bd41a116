import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const add = (tenant: TestTenant, body: unknown, key?: string) => asTenant(tenant, "POST", "/api/v1/suppressions", { body, key });
const list = async (tenant: TestTenant, query = "") => json(await asTenant(tenant, "GET", `/api/v1/suppressions${query}`));
const content = { subject: "s", body: "b" };

describe("suppressions: CRUD", () => {
  it("adds (normalised, 201), answers an existing one unchanged (200), lists with filters and cursor, removes by id and by recipient", async () => {
    const tenant = await createTestTenant(undefined, { settings: { defaultRegion: "GB" } });
    const first = await add(tenant, { channel: "email", recipient: " Ann@EXAMPLE.com ", reason: "Asked to stop" });
    expect(first.status).toBe(201);
    const ann = await json(first);
    expect(ann).toMatchObject({ channel: "email", recipient: "ann@example.com", reason: "Asked to stop", source: "api" });
    expect(Object.keys(ann).sort()).toEqual(["channel", "createdAt", "id", "reason", "recipient", "source"]);

    const again = await add(tenant, { channel: "email", recipient: "ANN@example.com", reason: "other" });
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual(ann);

    const phone = await json(await add(tenant, { channel: "sms", recipient: "07700 900123" }));
    expect(phone).toMatchObject({ channel: "sms", recipient: "+447700900123", reason: "Added through the API", source: "api" });
    await add(tenant, { channel: "email", recipient: "bob@example.com" });

    expect((await list(tenant)).items.map((s: any) => s.recipient)).toEqual(["bob@example.com", "+447700900123", "ann@example.com"]);
    expect((await list(tenant, "?channel=sms")).items.map((s: any) => s.recipient)).toEqual(["+447700900123"]);
    expect((await list(tenant, "?recipient=Ann%40Example.COM")).items.map((s: any) => s.id)).toEqual([ann.id]);
    expect((await list(tenant, "?channel=sms&recipient=%2B44%207700%20900123")).items.map((s: any) => s.id)).toEqual([phone.id]);
    expect((await list(tenant, "?recipient=nonsense")).items).toEqual([]);
    const page1 = await list(tenant, "?limit=2");
    expect(page1.items).toHaveLength(2);
    const page2 = await list(tenant, `?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((s: any) => s.id)).toEqual([ann.id]);
    expect(page2.nextCursor).toBeNull();

    expect((await asTenant(tenant, "DELETE", `/api/v1/suppressions/${ann.id}`)).status).toBe(204);
    expect((await asTenant(tenant, "DELETE", `/api/v1/suppressions/${ann.id}`)).status).toBe(404);
    expect((await asTenant(tenant, "DELETE", "/api/v1/suppressions?channel=sms&recipient=%2B447700900123")).status).toBe(204);
    expect((await asTenant(tenant, "DELETE", "/api/v1/suppressions?channel=sms&recipient=%2B447700900123")).status).toBe(404);
    expect((await list(tenant)).items.map((s: any) => s.recipient)).toEqual(["bob@example.com"]);
  });

  it("400 for msgApp or an unknown field, 422 naming recipient for an invalid address or number; manage needed, read lists", async () => {
    const tenant = await createTestTenant();
    const chat = await add(tenant, { channel: "msgApp", recipient: "ops" });
    expect(chat.status).toBe(400);
    expect((await json(chat)).errors[0].path).toBe("channel");
    expect((await add(tenant, { channel: "email", recipient: "a@example.com", extra: 1 })).status).toBe(400);
    const bad = await add(tenant, { channel: "email", recipient: "not-an-address" });
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors).toEqual([{ path: "recipient", message: "Not a valid email address: not-an-address" }]);
    expect((await add(tenant, { channel: "sms", recipient: "555" })).status).toBe(422);
    expect((await add(tenant, { channel: "email", recipient: "a@example.com" }, tenant.keys.team)).status).toBe(403);
    expect((await asTenant(tenant, "GET", "/api/v1/suppressions", { key: tenant.keys.team })).status).toBe(200);
  });

  it("belongs to its tenant", async () => {
    const owner = await createTestTenant();
    const other = await createTestTenant();
    const s = await json(await add(owner, { channel: "email", recipient: "a@example.com" }));
    expect((await asTenant(other, "DELETE", `/api/v1/suppressions/${s.id}`)).status).toBe(404);
    expect((await list(other)).items).toEqual([]);
    // Another tenant's suppression does not stop this tenant's sends.
    const res = await asTenant(other, "POST", "/api/v1/notifysimple/email?preview=true", { body: { recipients: { to: ["a@example.com"] }, content } });
    expect(res.status).toBe(200);
    expect((await json(res)).suppressed).toBeUndefined();
    expect((await list(owner)).items).toHaveLength(1);
  });
});

describe("suppressions in sends", () => {
  async function tenantWithSuppressions() {
    const tenant = await createTestTenant();
    await add(tenant, { channel: "email", recipient: "gone@example.com", reason: "Bounced" });
    await add(tenant, { channel: "sms", recipient: "+17787009999", reason: "Replied STOP" });
    return tenant;
  }
  const mixed = {
    email: { recipients: { to: ["ann@example.com", "GONE@example.com"], cc: ["gone@example.com"] }, content },
    sms: { recipients: { to: ["+17787001234", "(778) 700-9999"] }, content: { body: "hi" } },
  };

  it("previews without the suppressed recipients and says who and why", async () => {
    const tenant = await tenantWithSuppressions();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", { body: mixed });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email).toHaveLength(1);
    expect(preview.email[0].recipients).toEqual({ to: ["ann@example.com"] });
    expect(preview.sms.map((s: any) => s.recipients.to[0])).toEqual(["+17787001234"]);
    expect(preview.suppressed).toEqual([
      // The same person in to and cc is one recipient (to wins), so suppressed once.
      { channel: "email", recipient: "GONE@example.com", path: "email.recipients.to[1]", reason: "Bounced", source: "api" },
      { channel: "sms", recipient: "+17787009999", path: "sms.recipients.to[1]", reason: "Replied STOP", source: "api" },
    ]);
  });

  it("sends to the others, counts only them and stores only them", async () => {
    const tenant = await tenantWithSuppressions();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { key: tenant.keys.test, body: mixed });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 1, sms: 1 });
    expect(receipt.suppressed.map((s: any) => s.recipient)).toEqual(["GONE@example.com", "+17787009999"]);
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`));
    expect(status.messages.map((m: any) => m.recipient).sort()).toEqual(["+17787001234", "ann@example.com"]);
  });

  it("422 when every recipient is suppressed, naming each; nothing is stored", async () => {
    const tenant = await tenantWithSuppressions();
    for (const path of ["/api/v1/notifysimple/email", "/api/v1/notifysimple/email?preview=true"]) {
      const res = await asTenant(tenant, "POST", path, { body: { recipients: { to: ["gone@example.com"] }, content } });
      expect(res.status, path).toBe(422);
      const problem = await json(res);
      expect(problem.detail).toContain("All recipients are suppressed");
      expect(problem.errors).toEqual([{ path: "recipients.to[0]", message: "gone@example.com is on your email suppression list: Bounced" }]);
    }
    expect((await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items).toEqual([]);
  });

  it("a suppressed group member is left out like any recipient", async () => {
    const tenant = await tenantWithSuppressions();
    await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "Team", members: [{ email: "gone@example.com" }, { email: "ann@example.com" }] } });
    const preview = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: { recipients: { to: ["group:Team"] }, content } }));
    expect(preview.email[0].recipients.to).toEqual(["ann@example.com"]);
    expect(preview.suppressed).toEqual([{ channel: "email", recipient: "gone@example.com", path: "recipients.to[0]", reason: "Bounced", source: "api" }]);
  });
});
