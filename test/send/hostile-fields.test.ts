import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { asAdmin, json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Section 8 of issue 6: fields a hostile client filled with what the schema let through.
let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Hostile fields");
});

async function problem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return json(res);
}

const email = (extra: Record<string, unknown> = {}) => ({
  recipients: { to: ["ann@example.com"] },
  content: { subject: "Hi", body: "Hello" },
  ...extra,
});
const sendEmail = (body: unknown) => asTenant(tenant, "POST", "/api/v1/notifysimple/email", { key: tenant.keys.test, body });

async function notificationCount(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>();
  return row!.n;
}

describe("names refuse control and bidi characters everywhere", () => {
  it.each([
    ["NUL", "Acme\u0000"],
    ["CRLF", "Acme\r\nX-Evil: 1"],
    ["RLO", "Acme\u202Eexe.pdf"],
  ])("tenant, API key and template names with %s are 400 naming `name`", async (_label, name) => {
    const tenantRes = await problem(await asAdmin("POST", "/api/v1/tenants", { body: { name } }), 400);
    expect(tenantRes.errors).toEqual([{ path: "name", message: expect.stringMatching(/control characters/) }]);
    const patchTenant = await problem(await asAdmin("PATCH", `/api/v1/tenants/${tenant.id}`, { body: { name } }), 400);
    expect(patchTenant.errors.map((e: any) => e.path)).toEqual(["name"]);
    const key = await problem(await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name, type: "test" } }), 400);
    expect(key.errors.map((e: any) => e.path)).toEqual(["name"]);
    const template = await problem(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name, channel: "sms", body: "Hi" } }), 400);
    expect(template.errors.map((e: any) => e.path)).toEqual(["name"]);
  });
});

describe("senders", () => {
  it("a request's sms.sender.senderId is held to the same format as the tenant default", async () => {
    for (const senderId of ["Bad\u0000", "Way too long sender", "   ", "+0123"]) {
      const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        key: tenant.keys.test,
        body: { sms: { recipients: { to: ["+17787001234"] }, content: { body: "Hi" }, sender: { senderId } } },
      });
      expect((await problem(res, 400)).errors.map((e: any) => e.path)).toEqual(["sms.sender.senderId"]);
      const defaults = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { sms: { senderId } } });
      expect(defaults.status).toBe(400);
    }
  });

  it("a From display name with NUL, VT, CRLF or bidi controls is a 422 at email.sender.from, and nothing is stored", async () => {
    const before = await notificationCount();
    for (const from of ["Ann\u0000 <ann@example.gov>", "An\u000Bn <ann@example.gov>", "Ann\r\nBcc: x@y.z <ann@example.gov>", "\u202EvoG <ann@example.gov>"]) {
      const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { key: tenant.keys.test, body: { email: email({ sender: { from } }) } });
      expect((await problem(res, 422)).errors).toEqual([{ path: "email.sender.from", message: expect.stringMatching(/control characters/) }]);
    }
    expect(await notificationCount()).toBe(before);
  });

  it("the same From in the tenant defaults is refused where it is saved", async () => {
    const res = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { from: "Ann\u000B <ann@example.gov>" } } });
    expect((await problem(res, 422)).errors).toEqual([{ path: "email.from", message: expect.stringMatching(/control characters/) }]);
  });
});

describe("union and date-time errors say the real problem", () => {
  it("1,001 recipients: 'At most 1000 recipients' at recipients.to, not 'expected string'", async () => {
    const to = Array.from({ length: 1001 }, (_, i) => `r${i}@example.com`);
    const body = await problem(await sendEmail(email({ recipients: { to } })), 400);
    expect(body.errors).toEqual([{ path: "recipients.to", message: "At most 1000 recipients" }]);
  });

  it("a delayedSend offset of +99:99 is not a valid ISO 8601 date-time (not 'in the past')", async () => {
    const body = await problem(await sendEmail(email({ delayedSend: "2030-01-01T10:00:00+99:99" })), 422);
    expect(body.errors).toEqual([{ path: "delayedSend", message: expect.stringMatching(/^Not a valid ISO 8601 date-time/) }]);
  });
});

describe("template PATCH", () => {
  it("{} is a 400 and a patch that changes nothing writes no version; a real change does", async () => {
    const created = await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "Patchable", channel: "email", subject: "S", body: "B" } }));
    const path = `/api/v1/templates/${created.id}`;
    const empty = await problem(await asTenant(tenant, "PATCH", path, { body: {} }), 400);
    expect(empty.errors).toEqual([{ path: "(root)", message: "Nothing to change: give at least one field" }]);

    const same = await asTenant(tenant, "PATCH", path, { body: { name: " Patchable ", subject: "S", body: "B", bodyType: "text", renderer: "mustache" } });
    expect(same.status).toBe(200);
    expect(await json(same)).toEqual(created);
    expect((await asTenant(tenant, "GET", `${path}?version=2`)).status).toBe(404);

    const changed = await json(await asTenant(tenant, "PATCH", path, { body: { subject: "S2" } }));
    expect(changed).toMatchObject({ version: 2, subject: "S2", body: "B" });
  });
});

describe("attachments", () => {
  const pdf = (i: number) => ({ filename: `doc${i}.pdf`, contentType: "application/pdf", content: btoa(`%PDF-1.4 ${i}`) });

  it("top-level and email attachments count together: 6 + 6 is a 422 naming email.attachments, and nothing is stored", async () => {
    const before = await notificationCount();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      key: tenant.keys.test,
      body: { attachments: [0, 1, 2, 3, 4, 5].map(pdf), email: email({ attachments: [6, 7, 8, 9, 10, 11].map(pdf) }) },
    });
    expect((await problem(res, 422)).errors).toEqual([
      { path: "email.attachments", message: "12 attachments (attachments and email.attachments together); an email may have at most 10" },
    ]);
    expect(await notificationCount()).toBe(before);
    const ok = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      key: tenant.keys.test,
      body: { attachments: [0, 1, 2, 3, 4].map(pdf), email: email({ attachments: [5, 6, 7, 8, 9].map(pdf) }) },
    });
    expect(ok.status).toBe(201);
  });

  it("an MZ executable declared application/pdf, and names that hide what they are, are 422s at the field", async () => {
    const res = await sendEmail(
      email({
        attachments: [
          { filename: "invoice.pdf", contentType: "application/pdf", content: btoa("MZ\x90\x00\x03\x00") },
          { filename: "=?UTF-8?B?ZXZpbC5leGU=?=", contentType: "application/pdf", content: btoa("%PDF-1.4") },
          { filename: "invoice\u202Efdp.exe", contentType: "application/pdf", content: btoa("%PDF-1.4") },
          { filename: "photo.png", contentType: "application/pdf", content: btoa("%PDF-1.4") },
        ],
      }),
    );
    const body = await problem(res, 422);
    expect(body.errors).toEqual([
      { path: "attachments[0].content", message: expect.stringMatching(/Windows executable/) },
      { path: "attachments[1].filename", message: expect.stringMatching(/encoded-word/) },
      { path: "attachments[2].filename", message: expect.stringMatching(/bidirectional/) },
      { path: "attachments[3].filename", message: expect.stringMatching(/does not match application\/pdf/) },
    ]);
    expect((await env.BUCKET.list({ prefix: `tenants/${tenant.id}/` })).objects.filter((o) => o.key.includes("invoice"))).toHaveLength(0);
  });

  it("names without an extension, with a dot look-alike or with an invisible character are 422s naming the code point", async () => {
    const before = await notificationCount();
    const text = (filename: string) => ({ filename, contentType: "text/plain", content: btoa("hello") });
    const res = await sendEmail(
      email({ attachments: [text("invoice"), text("a\u2024exe"), text("a\uFF0Eexe.txt"), text("notes\u3164.txt"), text("notes\u{E0041}.txt"), text("notes.txt")] }),
    );
    expect((await problem(res, 422)).errors).toEqual([
      { path: "attachments[0].filename", message: "Must end in an extension that matches text/plain (.txt, .text, .log, .md)" },
      { path: "attachments[1].filename", message: expect.stringMatching(/^Must not contain U\+2024 /) },
      { path: "attachments[2].filename", message: expect.stringMatching(/^Must not contain U\+FF0E /) },
      { path: "attachments[3].filename", message: "Must not contain control, invisible or bidirectional characters (U+3164)" },
      { path: "attachments[4].filename", message: "Must not contain control, invisible or bidirectional characters (U+E0041)" },
    ]);
    expect(await notificationCount()).toBe(before);
  });
});

describe("email addresses", () => {
  it("refuses dot-atom violations and over-long local parts at the field", async () => {
    const to = [".a@x.com", "a.@x.com", "a..b@x.com", `${"a".repeat(65)}@x.com`];
    const body = await problem(await sendEmail(email({ recipients: { to } })), 422);
    expect(body.errors.map((e: any) => e.path)).toEqual(["recipients.to[0]", "recipients.to[1]", "recipients.to[2]", "recipients.to[3]"]);
  });

  it("a fullwidth domain is the same inbox: one message row, stored in normalised form", async () => {
    const res = await sendEmail(email({ recipients: { to: ["ann@example.com", "ann@ｅｘａｍｐｌｅ.ｃｏｍ", "ann@EXAMPLE。com"] } }));
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 1 });
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`, { key: tenant.keys.test }));
    expect(status.messages.map((m: any) => m.recipient)).toEqual(["ann@example.com"]);
  });
});
