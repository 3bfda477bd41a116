import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Validation");
});

const post = (path: string, body: unknown) => asTenant(tenant, "POST", path, { body, key: tenant.keys.test });

async function expectFields(res: Response, status: number, paths: string[]) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json(res);
  expect(problem.errors.map((e: any) => e.path)).toEqual(paths);
  return problem;
}

async function notificationCount(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>();
  return row!.n;
}

describe("send validation: every field at fault, nothing stored", () => {
  it("422 names every parameter a template needs and the request lacks, from recipients, subject and body", async () => {
    const before = await notificationCount();
    const res = await post("/api/v1/notifysimple/email", {
      params: { name: "Lucky" },
      recipients: { to: ["{{emailaddress}}"] },
      content: { subject: "Hello {{name}}", body: "Dear {{firstname}} {{lastname}}, ${{amount}}" },
    });
    const problem = await expectFields(res, 422, ["params.emailaddress", "params.firstname", "params.lastname", "params.amount"]);
    expect(problem.code).toBe("unprocessable");
    expect(problem.detail).toContain("emailaddress, firstname, lastname, amount");
    expect(await notificationCount()).toBe(before);
  });

  it("422 for a partial (there is nowhere to define one), at the field that uses it", async () => {
    const before = await notificationCount();
    const res = await post("/api/v1/notifysimple/email", {
      recipients: { to: ["a@example.com"] },
      content: { subject: "Hi", body: "Hello{{> footer}}" },
    });
    const problem = await expectFields(res, 422, ["content.body"]);
    expect(problem.errors[0].message).toContain("Partials are not supported");
    expect(await notificationCount()).toBe(before);
  });

  it("prints an object parameter used as text as JSON rather than failing", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", {
      key: tenant.keys.test,
      body: {
        params: { order: { items: ["tea", { name: "cake" }] } },
        recipients: { to: ["a@example.com"] },
        content: { subject: "{{order.items}}", body: "{{#order.items}}[{{.}}]{{/order.items}} {{order}}" },
      },
    });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email[0].content).toMatchObject({
      subject: 'tea,{"name":"cake"}',
      body: '[tea][{"name":"cake"}] {"items":["tea",{"name":"cake"}]}',
    });
  });

  it("422 for bad recipients, with the path of each", async () => {
    const res = await post("/api/v1/notifysimple", {
      email: { recipients: { to: ["ok@example.com", "not-an-email"], cc: "also@bad@example.com" }, content: { subject: "s", body: "b" } },
      sms: { recipients: { to: ["+17787001234", "12ab"] }, content: { body: "b" } },
    });
    const problem = await expectFields(res, 422, ["email.recipients.to[1]", "email.recipients.cc", "sms.recipients.to[1]"]);
    expect(problem.errors[0].message).toContain("not-an-email");
  });

  it("accepts internationalised domains and national numbers in the tenant's region", async () => {
    const res = await post("/api/v1/notifysimple?preview=true", {
      email: { recipients: { to: ["japanese-info@例え.テスト"] }, content: { subject: "s", body: "b" } },
      sms: { recipients: { to: ["(778) 700-1234"] }, content: { body: "b" } },
    });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email[0].recipients.to).toEqual(["japanese-info@例え.テスト"]);
    expect(preview.sms[0].recipients.to).toEqual(["+17787001234"]);
  });

  it("422 for an unknown template, or one for another channel", async () => {
    await expectFields(
      await post("/api/v1/notifysimple/email", { recipients: { to: ["a@example.com"] }, content: { templateId: crypto.randomUUID() } }),
      422,
      ["content.templateId"],
    );
    const sms = await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "an sms", channel: "sms", body: "hi" } }));
    await expectFields(
      await post("/api/v1/notifysimple/email", { recipients: { to: ["a@example.com"] }, content: { template: { templateId: sms.id } } }),
      422,
      ["content.template.templateId"],
    );
  });

  it("422 for attachments that are not base64, of a refused type, too big, or on an SMS", async () => {
    const big = btoa("x".repeat(5 * 1024 * 1024 + 3));
    const res = await post("/api/v1/notifysimple", {
      attachments: [
        { filename: "a.png", contentType: "image/png", content: "not base64!" },
        { filename: "run.exe", mimeType: "application/x-msdownload", content: "TVqQ" },
        { filename: "../etc.pdf", contentType: "application/pdf", content: "JVBE" },
        { filename: "big.txt", contentType: "text/plain", content: big },
      ],
      email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } },
      sms: { recipients: { to: ["+17787001234"] }, content: { body: "b" }, attachments: [{ filename: "a.pdf", content: "JVBE" }] },
    });
    await expectFields(res, 422, [
      "attachments[0].content",
      "attachments[1].mimeType",
      "attachments[1].filename",
      "attachments[1].content",
      "attachments[2].filename",
      "attachments[2].content",
      "attachments[3].content",
      "sms.attachments",
    ]);
    expect((await env.BUCKET.list({ prefix: `tenants/${tenant.id}/` })).objects).toHaveLength(0);
  });

  it("422 for a delayedSend in the past, unparseable, or beyond the horizon", async () => {
    const base = { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } };
    for (const delayedSend of ["2025-06-25T15:15:00", "next tuesday", "2027-02-30T10:00:00Z", new Date(Date.now() + 40 * 86_400_000).toISOString()]) {
      await expectFields(await post("/api/v1/notifysimple/email", { ...base, delayedSend }), 422, ["delayedSend"]);
    }
  });

  it("422 for an SMS too long once rendered, and reports length and fragments in previews", async () => {
    const long = await post("/api/v1/notifysimple/sms", { recipients: { to: ["+17787001234"] }, content: { body: "{{x}}" }, params: { x: "a".repeat(919) } });
    await expectFields(long, 422, ["content.body"]);
    const preview = await json(await post("/api/v1/notifysimple/sms?preview=true", { recipients: { to: ["+17787001234"] }, content: { message: "a".repeat(161) } }));
    expect(preview.sms[0].content).toMatchObject({ length: 161, fragments: 2, encoding: "GSM-7" });
  });

  it("400 for schema problems: no channel, missing content, templateId with inline content, unknown fields", async () => {
    await expectFields(await post("/api/v1/notifysimple", {}), 400, ["email"]);
    await expectFields(await post("/api/v1/notifysimple/email", { recipients: { to: ["a@example.com"] }, content: { body: "b" } }), 400, ["content.subject"]);
    const template = await json(
      await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "both", channel: "email", subject: "s", body: "b" } }),
    );
    await expectFields(
      await post("/api/v1/notifysimple/email", { recipients: { to: ["a@example.com"] }, content: { templateId: template.id, body: "b" } }),
      400,
      ["content.body"],
    );
    await expectFields(await post("/api/v1/notifysimple/email", { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" }, recipent: 1 }), 400, ["recipent"]);
    await expectFields(await post("/api/v1/notifysimple/email", { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b", renderer: "jinja" } }), 400, ["content.renderer"]);
  });
});

describe("one person, one recipient", () => {
  it("drops an address from cc and bcc when it is already in to (or cc), whatever its case", async () => {
    const t = await createTestTenant();
    const res = await asTenant(t, "POST", "/api/v1/notifysimple/email?preview=true", {
      body: { recipients: { to: ["a@example.com"], cc: ["A@Example.com", "b@example.com"], bcc: ["a@example.com", "B@example.com", "c@example.com"] }, content: { subject: "s", body: "b" } },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).email[0].recipients).toEqual({ to: ["a@example.com"], cc: ["b@example.com"], bcc: ["c@example.com"] });
  });
});

describe("one template reference per content", () => {
  it("refuses templateId and template.templateId together, in a send and in an event override", async () => {
    const t = await createTestTenant();
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    const send = await asTenant(t, "POST", "/api/v1/notifysimple/sms?preview=true", {
      body: { recipients: { to: ["+17787001234"] }, content: { templateId: a, template: { templateId: b } } },
    });
    expect(send.status).toBe(400);
    expect((await json(send)).errors).toEqual([{ path: "content.template", message: "Give templateId or template.templateId, not both" }]);
    const event = await asTenant(t, "POST", "/api/v1/notifyevent?preview=true", {
      body: { notificationEventType: "any", overrides: { email: { content: { templateId: a, template: { templateId: b } } } } },
    });
    expect(event.status).toBe(400);
    expect((await json(event)).errors[0].path).toBe("overrides.email.content.template");
  });
});
