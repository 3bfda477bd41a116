import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { auditLog } from "../../src/db/schema";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { apiTemplate, getPage, postForm, userSession } from "./helpers";

// An admin session sends as a live key of its tenant: deliveries reach the (mocked) providers.
const mocks = createProviderMocks();
const db = createDb(env.DB);

/** The value of each hidden input of a page, by name. */
function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) out[m[1]!] = m[2]!.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  return out;
}

let tenant: TestTenant;
let other: TestTenant;
let sender: string;
let reader: string;
let smsId: string;
let emailId: string;
let otherId: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Send UI tenant");
  other = await createTestTenant("Send UI other");
  sender = await userSession(tenant, "send");
  reader = await userSession(tenant, "read");
  smsId = await apiTemplate(tenant, { name: "Code by text", channel: "sms", body: "Hi {{name}}, your code is {{code}}" });
  emailId = await apiTemplate(tenant, { name: "Welcome mail", channel: "email", subject: "Welcome {{name}}", body: "<p>Hello {{name}}</p><script>alert(1)</script>", bodyType: "html" });
  otherId = await apiTemplate(other, { name: "Other's text", channel: "sms", body: "Hello {{name}}" });
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

describe("admin UI: send a message", () => {
  it("lists the tenant's email and SMS templates, each linking to its form", async () => {
    const res = await getPage("/admin/send", sender);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`href="/admin/send/${smsId}"`);
    expect(html).toContain(`href="/admin/send/${emailId}"`);
    expect(html).not.toContain(otherId);
    const form = await (await getPage(`/admin/send/${smsId}`, sender)).text();
    expect(form).toContain('label class="label" for="recipient">Phone number');
    expect(form).toContain('name="param-0"');
    expect(form).toContain('name="param-1"');
  });

  it("previews then sends an SMS: the notification exists with its recipient, the provider got the text, audited", async () => {
    const fields = { recipient: "+1 613 555 0142", "param-0": "Ada", "param-1": "4821" };
    const preview = await postForm(`/admin/send/${smsId}/preview`, fields, { cookie: sender });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain("Hi Ada, your code is 4821");
    expect(html).toMatch(/25 characters, 1 fragment \(GSM-7\)/);
    expect(html).toContain(`action="/admin/send/${smsId}"`);
    const hidden = hiddenFields(html);
    expect(hidden).toEqual(fields);
    // "Change the values" brings the filled-in form back.
    const back = await (await postForm(`/admin/send/${smsId}/edit`, hidden, { cookie: sender })).text();
    expect(back).toMatch(/id="param-1" name="param-1" type="text" value="4821"/);

    const sent = await postForm(`/admin/send/${smsId}`, hidden, { cookie: sender });
    expect(sent.status, await sent.clone().text()).toBe(303);
    const notifyId = /^\/admin\/activity\/([0-9a-f-]{36})$/.exec(sent.headers.get("location") ?? "")?.[1];
    expect(notifyId).toBeDefined();
    const status = await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`);
    expect(status.status).toBe(200);
    expect(JSON.stringify(await status.json())).toContain("+16135550142");
    await settleQueues();
    expect(mocks.captured.twilio.filter((m) => m.to === "+16135550142").map((m) => m.body)).toEqual(["Hi Ada, your code is 4821"]);
    const entries = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "notification.sent")));
    expect(entries.map((e) => e.target)).toContain(`notification:${notifyId}`);
    expect((await getPage(`/admin/activity/${notifyId}`, sender)).status).toBe(200);
  });

  it("previews then sends an email: HTML only in a sandboxed srcdoc iframe", async () => {
    const fields = { recipient: "grace@example.com", "param-0": "Grace" };
    const preview = await postForm(`/admin/send/${emailId}/preview`, fields, { cookie: sender });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain("Welcome Grace");
    expect(html).toMatch(/<iframe[^>]*sandbox=""[^>]*srcdoc="[^"]*&lt;p&gt;Hello Grace&lt;\/p&gt;/);
    expect(html).not.toContain("<script>alert(1)</script>");

    const sent = await postForm(`/admin/send/${emailId}`, hiddenFields(html), { cookie: sender });
    expect(sent.status).toBe(303);
    const notifyId = /^\/admin\/activity\/([0-9a-f-]{36})$/.exec(sent.headers.get("location") ?? "")?.[1];
    const status = await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`);
    expect(status.status).toBe(200);
    expect(JSON.stringify(await status.json())).toContain("grace@example.com");
    await settleQueues();
    const mail = mocks.captured.ses.find((m) => m.destination.ToAddresses?.includes("grace@example.com"));
    expect(mail?.mime.subject).toBe("Welcome Grace");
  });

  it("a read user gets 403 on the posts, and nothing is sent", async () => {
    const before = mocks.captured.twilio.length;
    expect((await postForm(`/admin/send/${smsId}/preview`, { recipient: "+16135550143", "param-0": "A", "param-1": "1" }, { cookie: reader })).status).toBe(403);
    expect((await postForm(`/admin/send/${smsId}`, { recipient: "+16135550143", "param-0": "A", "param-1": "1" }, { cookie: reader })).status).toBe(403);
    await settleQueues();
    expect(mocks.captured.twilio.length).toBe(before);
  });

  it("a missing placeholder and an invalid recipient are named at their fields", async () => {
    const missing = await postForm(`/admin/send/${smsId}/preview`, { recipient: "+16135550144", "param-0": "Ada", "param-1": "" }, { cookie: sender });
    expect(missing.status).toBe(422);
    const m = await missing.text();
    expect(m).toContain("There is a problem");
    expect(m).toContain('<a href="#param-1">Placeholder code: Required by the template but not supplied</a>');
    expect(m).toContain('id="param-1-error"');

    const bad = await postForm(`/admin/send/${emailId}/preview`, { recipient: "not-an-address", "param-0": "Grace" }, { cookie: sender });
    expect(bad.status).toBe(422);
    const b = await bad.text();
    expect(b).toMatch(/<a href="#recipient">Email address: [^<]+/);
    expect(b).toContain('id="recipient-error"');

    // The send itself re-checks: the same refusal, nothing stored.
    const badSend = await postForm(`/admin/send/${smsId}`, { recipient: "12", "param-0": "Ada", "param-1": "1" }, { cookie: sender });
    expect(badSend.status).toBe(422);
    expect(await badSend.text()).toMatch(/<a href="#recipient">Phone number: [^<]+/);
    const empty = await postForm(`/admin/send/${smsId}/preview`, { recipient: "", "param-0": "Ada", "param-1": "1" }, { cookie: sender });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('<a href="#recipient">Enter a phone number</a>');
  });

  it("another tenant's template id is the 404 page, on every route", async () => {
    expect((await getPage(`/admin/send/${otherId}`, sender)).status).toBe(404);
    expect((await postForm(`/admin/send/${otherId}/preview`, { recipient: "+16135550145", "param-0": "X" }, { cookie: sender })).status).toBe(404);
    expect((await postForm(`/admin/send/${otherId}`, { recipient: "+16135550145", "param-0": "X" }, { cookie: sender })).status).toBe(404);
    expect((await getPage("/admin/send/not-a-uuid", sender)).status).toBe(404);
  });
});
