import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Templates");
});

const call = (method: string, path: string, body?: unknown) => asTenant(tenant, method, path, body === undefined ? {} : { body });

describe("/api/v1/templates", () => {
  it("creates, reads, lists and filters by name and channel", async () => {
    const res = await call("POST", "/api/v1/templates", {
      name: "Funding Approved Email",
      channel: "email",
      subject: "Notification of funding approval for {{program}}",
      body: "Dear {{firstname}} {{lastname}}\nYour funding of ${{amount}} for {{program}} has been approved",
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({
      name: "Funding Approved Email",
      channel: "email",
      version: 1,
      bodyType: "text",
      renderer: "mustache",
      params: ["program", "firstname", "lastname", "amount"],
    });
    expect(res.headers.get("location")).toBe(`/api/v1/templates/${created.id}`);
    expect(await json(await call("GET", `/api/v1/templates/${created.id}`))).toEqual(created);

    await call("POST", "/api/v1/templates", { name: "Funding Approved SMS", channel: "sms", message: "Hey {{firstname}} You just got awarded ${{amount}}" });
    const byName = await json(await call("GET", "/api/v1/templates?name=Funding%20Approved%20Email"));
    expect(byName.items.map((t: any) => t.id)).toEqual([created.id]);
    const sms = await json(await call("GET", "/api/v1/templates?channel=sms"));
    expect(sms.items).toHaveLength(1);
    expect(sms.items[0]).toMatchObject({ body: "Hey {{firstname}} You just got awarded ${{amount}}", sms: { fragments: 1, encoding: "GSM-7" } });
  });

  it("every update is a new version; old versions stay readable; a send records the version it used", async () => {
    const t = await json(await call("POST", "/api/v1/templates", { name: "Versioned", channel: "email", subject: "v1 {{x}}", body: "one" }));
    const v2 = await json(await call("PATCH", `/api/v1/templates/${t.id}`, { subject: "v2 {{x}}" }));
    expect(v2).toMatchObject({ version: 2, subject: "v2 {{x}}", body: "one" });
    expect((await json(await call("GET", `/api/v1/templates/${t.id}?version=1`))).subject).toBe("v1 {{x}}");
    expect((await call("GET", `/api/v1/templates/${t.id}?version=9`)).status).toBe(404);

    const send = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      key: tenant.keys.test,
      body: { recipients: { to: ["a@example.com"] }, content: { templateId: t.id }, params: { x: 1 } },
    });
    const final = await waitForNotification(tenant, (await json(send)).notifyId);
    expect(final.messages[0]).toMatchObject({ templateId: t.id, templateVersion: 2 });
  });

  it("a rename is a new version, and an old version keeps the name it had", async () => {
    const t = await json(await call("POST", "/api/v1/templates", { name: "Before rename", channel: "sms", message: "Hi {{x}}" }));
    const renamed = await json(await call("PATCH", `/api/v1/templates/${t.id}`, { name: "After rename" }));
    expect(renamed).toMatchObject({ version: 2, name: "After rename", body: "Hi {{x}}" });
    expect(await json(await call("GET", `/api/v1/templates/${t.id}?version=1`))).toMatchObject({ version: 1, name: "Before rename" });
    expect(await json(await call("GET", `/api/v1/templates/${t.id}`))).toMatchObject({ version: 2, name: "After rename" });
    // The same name again changes nothing, so it makes no version.
    expect(await json(await call("PATCH", `/api/v1/templates/${t.id}`, { name: "After rename" }))).toMatchObject({ version: 2 });
  });

  it("previews with params, and 422s naming every missing one", async () => {
    const t = await json(await call("POST", "/api/v1/templates", { name: "Preview me", channel: "email", subject: "Hi {{name}}", body: "**{{thing}}** for {{name}}", bodyType: "markdown" }));
    const ok = await json(await call("POST", `/api/v1/templates/${t.id}/preview`, { params: { name: "Ann", thing: "<b>x</b>" } }));
    expect(ok).toMatchObject({ templateId: t.id, version: 1, channel: "email", subject: "Hi Ann", bodyType: "markdown" });
    expect(ok.html).toContain("<strong>");
    expect(ok.html).not.toContain("<b>x</b>");
    const missing = await call("POST", `/api/v1/templates/${t.id}/preview`, { params: {} });
    expect(missing.status).toBe(422);
    expect((await json(missing)).errors.map((e: any) => e.path)).toEqual(["params.name", "params.thing"]);
  });

  it("supports GOV.UK-style ((placeholders)) with the gc renderer", async () => {
    const t = await json(await call("POST", "/api/v1/templates", { name: "GC", channel: "sms", body: "Hello ((First Name))((urgent?? - act now))", renderer: "gc" }));
    expect(t).toMatchObject({ renderer: "gc" });
    const yes = await json(await call("POST", `/api/v1/templates/${t.id}/preview`, { params: { first_name: "Ann", urgent: "yes" } }));
    expect(yes.body).toBe("Hello Ann - act now");
    const no = await json(await call("POST", `/api/v1/templates/${t.id}/preview`, { params: { first_name: "Ann", urgent: "no" } }));
    expect(no.body).toBe("Hello Ann");
  });

  it("refuses incomplete content, duplicate names and template syntax errors", async () => {
    const missing = await call("POST", "/api/v1/templates", { name: "x", channel: "email", body: "b" });
    expect(missing.status).toBe(422);
    expect((await json(missing)).errors).toEqual([{ path: "subject", message: "Email templates need a subject" }]);
    const smsSubject = await call("POST", "/api/v1/templates", { name: "y", channel: "sms", subject: "s", body: "b" });
    expect((await json(smsSubject)).errors[0].path).toBe("subject");
    const broken = await call("POST", "/api/v1/templates", { name: "z", channel: "sms", body: "{{#open}} never closed" });
    expect(broken.status).toBe(422);
    expect((await json(broken)).errors[0].path).toBe("body");

    await call("POST", "/api/v1/templates", { name: "Unique", channel: "sms", body: "b" });
    const dup = await call("POST", "/api/v1/templates", { name: "Unique", channel: "sms", body: "b" });
    expect(dup.status).toBe(409);
    expect((await json(dup)).errors).toEqual([{ path: "name", message: "Already used by another template" }]);
  });

  it("delete: gone from reads and lists, refused by sends, and its name is free again", async () => {
    const t = await json(await call("POST", "/api/v1/templates", { name: "Short lived", channel: "sms", body: "b" }));
    expect((await call("DELETE", `/api/v1/templates/${t.id}`)).status).toBe(204);
    expect((await call("GET", `/api/v1/templates/${t.id}`)).status).toBe(404);
    expect((await json(await call("GET", "/api/v1/templates?name=Short%20lived"))).items).toEqual([]);
    const send = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", {
      key: tenant.keys.test,
      body: { recipients: { to: ["+17787001234"] }, content: { templateId: t.id } },
    });
    expect(send.status).toBe(422);
    expect((await call("POST", "/api/v1/templates", { name: "Short lived", channel: "sms", body: "b" })).status).toBe(201);
  });
});
