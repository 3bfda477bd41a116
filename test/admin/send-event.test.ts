import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { apiPost, getPage, postForm, userSession } from "./helpers";

// A one-off send of an event type is a live send of the session's tenant to the event's
// configured recipients: the (mocked) providers' wire bodies show who it reached.
const mocks = createProviderMocks();
const db = createDb(env.DB);

const PARAMS = { firstname: "Lucky", lastname: "Applicant", program: "Small Business Development Fund", amount: "1000", emailaddress: "lucky@me.example.com", phonenumber: "+16135550111" };

let tenant: TestTenant;
let other: TestTenant;
let eventId: string;
let disabledId: string;
let theirs: string;
let sender: string;
let reader: string;

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The hidden fields of a preview's "Send to N recipients" form. */
function confirmationOf(html: string): Record<string, string> {
  const form = /<form method="post" action="\/admin\/send\/event\/[^"]+">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? "";
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)"/g)) fields[m[1]!] = unescape(m[2]!);
  return fields;
}

async function preview(id: string, params: unknown): Promise<{ res: Response; html: string }> {
  const res = await postForm(`/admin/send/event/${id}/preview`, { params: typeof params === "string" ? params : JSON.stringify(params) }, { cookie: sender });
  return { res, html: await res.text() };
}

const notificationsOf = async (code: string) => (await db.query.notifications.findMany({ where: (n, { and, eq }) => and(eq(n.tenantId, tenant.id), eq(n.eventTypeCode, code)) })).length;
const sent = () => ({ ses: mocks.captured.ses.length, twilio: mocks.captured.twilio.length });

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Send event UI tenant");
  other = await createTestTenant("Send event UI other");
  sender = await userSession(tenant, "send");
  reader = await userSession(tenant, "read");
  const emailTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Funding Approved Email", channel: "email", subject: "Notification of funding approval for {{program}}", body: "Dear {{firstname}} {{lastname}}, ${{amount}} for {{program}}" });
  const smsTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Funding Approved SMS", channel: "sms", body: "Hey {{firstname}} {{lastname}} You just got awarded ${{amount}} for {{program}}" });
  await apiPost(tenant, "/api/v1/groups", { name: "FundingApprovers", members: [{ email: "fred@approvers.example.gov", phone: "+16135550122" }, { email: "joan@approvers.example.gov" }] });
  eventId = await apiPost(tenant, "/api/v1/notifyevent/types", {
    code: "funding-approved",
    name: "Funding approved",
    email: { content: { templateId: emailTemplate }, recipients: { to: ["{{emailaddress}}"], cc: ["group:FundingApprovers"], bcc: ["boss@tenant.example.gov"] } },
    sms: { content: { templateId: smsTemplate }, recipients: { to: ["{{phonenumber}}", "group:FundingApprovers"] } },
  });
  disabledId = await apiPost(tenant, "/api/v1/notifyevent/types", { code: "switched-off", name: "Switched off", enabled: false, email: { content: { templateId: emailTemplate }, recipients: { to: ["off@tenant.example.gov"] } } });
  theirs = await apiPost(other, "/api/v1/notifyevent/types", { code: "theirs", name: "Theirs" });
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

describe("admin UI: send an event type to its configured recipients", () => {
  it("lists enabled event types beside the templates; parameters → preview with layers and recipients per channel → send reaches the event's recipients; audited; Activity", async () => {
    const choose = await (await getPage("/admin/send", sender)).text();
    expect(choose).toContain(`href="/admin/send/event/${eventId}"`);
    expect(choose).not.toContain(`/admin/send/event/${disabledId}`);
    expect(choose).not.toContain(`/admin/send/event/${theirs}`);

    const form = await getPage(`/admin/send/event/${eventId}`, sender);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="params"');

    const { res, html } = await preview(eventId, PARAMS);
    expect(res.status, html).toBe(200);
    expect(html).toContain("Where each value came from");
    expect(html).toContain("Notification of funding approval for Small Business Development Fund");
    expect(html).toMatch(/<dt class="summary-list__key">Email<\/dt>\s*<dd class="summary-list__value">4 recipients<\/dd>/);
    expect(html).toMatch(/<dt class="summary-list__key">SMS<\/dt>\s*<dd class="summary-list__value">2 recipients<\/dd>/);
    expect(html).toContain("Send to 6 recipients");
    const confirmation = confirmationOf(html);
    expect(Object.keys(confirmation).sort()).toEqual(["hash", "params", "token", "version"]);
    expect(JSON.parse(confirmation.params!)).toEqual(PARAMS);
    // A preview stores and sends nothing.
    expect(await notificationsOf("funding-approved")).toBe(0);

    const before = sent();
    const posted = await postForm(`/admin/send/event/${eventId}`, confirmation, { cookie: sender });
    expect(posted.status, await posted.clone().text()).toBe(303);
    const notifyId = /^\/admin\/activity\/([0-9a-f-]{36})$/.exec(posted.headers.get("location") ?? "")?.[1];
    expect(notifyId, posted.headers.get("location") ?? "").toBeDefined();
    await settleQueues();

    const ses = mocks.captured.ses.slice(before.ses);
    expect(ses).toHaveLength(1);
    expect(ses[0]!.destination.ToAddresses).toEqual(["lucky@me.example.com"]);
    expect([...(ses[0]!.destination.CcAddresses ?? [])].sort()).toEqual(["fred@approvers.example.gov", "joan@approvers.example.gov"]);
    expect(ses[0]!.destination.BccAddresses).toEqual(["boss@tenant.example.gov"]);
    expect(ses[0]!.mime.subject).toBe("Notification of funding approval for Small Business Development Fund");
    const twilio = mocks.captured.twilio.slice(before.twilio);
    expect(twilio.map((m) => m.to).sort()).toEqual(["+16135550111", "+16135550122"]);
    expect(twilio[0]!.body).toBe("Hey Lucky Applicant You just got awarded $1000 for Small Business Development Fund");

    const row = await db.query.notifications.findFirst({ where: (n, { eq }) => eq(n.id, notifyId!) });
    expect(row).toMatchObject({ tenantId: tenant.id, source: "admin", eventTypeCode: "funding-approved", eventTypeVersion: 1 });
    const audited = await db.query.auditLog.findMany({ where: (a, { eq }) => eq(a.target, `notification:${notifyId}`) });
    expect(audited.map((a) => a.action)).toEqual(["event.sent"]);
    expect((await getPage(`/admin/activity/${notifyId}`, sender)).status).toBe(200);

    // The same confirmation posted again sends nothing more and answers the first notification.
    const again = await postForm(`/admin/send/event/${eventId}`, confirmation, { cookie: sender });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`/admin/activity/${notifyId}`);
    await settleQueues();
    expect(sent()).toEqual({ ses: before.ses + 1, twilio: before.twilio + 2 });
    expect(await notificationsOf("funding-approved")).toBe(1);
  });

  it("20 concurrent posts of one confirmation make one notification (by its key, with the duplicate window off); another confirmation is another send", async () => {
    // With the window off only the confirmation's Idempotency-Key stands between twenty posts and twenty sends.
    expect((await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { duplicateWindowSeconds: 0 } })).status).toBe(200);
    const params = { ...PARAMS, amount: "2000" };
    const confirmation = confirmationOf((await preview(eventId, params)).html);
    const before = sent();
    const count = await notificationsOf("funding-approved");
    const answers = await Promise.all(Array.from({ length: 20 }, () => postForm(`/admin/send/event/${eventId}`, confirmation, { cookie: sender })));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 303));
    expect(new Set(answers.map((r) => r.headers.get("location"))).size).toBe(1);
    await settleQueues();
    expect(await notificationsOf("funding-approved")).toBe(count + 1);
    expect(sent()).toEqual({ ses: before.ses + 1, twilio: before.twilio + 2 });
    const notifyId = answers[0]!.headers.get("location")!.split("/").at(-1)!;
    const audited = await db.query.auditLog.findMany({ where: (a, { eq }) => eq(a.target, `notification:${notifyId}`) });
    expect(audited).toHaveLength(1);

    // Previewed again and confirmed: a new confirmation, so a new notification.
    const second = await postForm(`/admin/send/event/${eventId}`, confirmationOf((await preview(eventId, params)).html), { cookie: sender });
    expect(second.status).toBe(303);
    expect(second.headers.get("location")).not.toBe(answers[0]!.headers.get("location"));
    await settleQueues();
    expect(await notificationsOf("funding-approved")).toBe(count + 2);
  });

  it("the event type changed between preview and send: the 409 page, nothing sent; edited params are refused too", async () => {
    const confirmation = confirmationOf((await preview(eventId, { ...PARAMS, amount: "3000" })).html);
    const tampered = await postForm(`/admin/send/event/${eventId}`, { ...confirmation, params: JSON.stringify({ ...PARAMS, amount: "9999" }) }, { cookie: sender });
    expect(tampered.status).toBe(409);

    const changed = await asTenant(tenant, "PATCH", `/api/v1/notifyevent/types/${eventId}`, { body: { name: "Funding approved (renamed)" } });
    expect(changed.status, await changed.clone().text()).toBe(200);
    const before = sent();
    const count = await notificationsOf("funding-approved");
    const res = await postForm(`/admin/send/event/${eventId}`, confirmation, { cookie: sender });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("The event type has changed since your preview");
    expect(html).toContain(`action="/admin/send/event/${eventId}/preview"`);
    await settleQueues();
    expect(sent()).toEqual(before);
    expect(await notificationsOf("funding-approved")).toBe(count);
  });

  it("a disabled event type is not offered and cannot be previewed or sent (422 at the field)", async () => {
    const page = await getPage(`/admin/send/event/${disabledId}`, sender);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("This event type is disabled");
    const { res, html } = await preview(disabledId, {});
    expect(res.status).toBe(422);
    expect(html).toMatch(/href="#params">[^<]*disabled/i);
    // A confirmation made up for it (the hash is of public values) meets the send path's own refusal.
    const forged = await postForm(`/admin/send/event/${disabledId}`, { params: "{}", version: "1", hash: "x", token: crypto.randomUUID() }, { cookie: sender });
    expect(forged.status).toBe(409);
  });

  it("read is refused; another tenant's event type is the 404 page; CSRF; odd params are a 422 at the field, never a 500", async () => {
    for (const [method, path] of [
      ["GET", `/admin/send/event/${eventId}`],
      ["POST", `/admin/send/event/${eventId}/preview`],
      ["POST", `/admin/send/event/${eventId}`],
    ] as const) {
      const res = method === "GET" ? await getPage(path, reader) : await postForm(path, { params: "{}" }, { cookie: reader });
      expect([path, res.status]).toEqual([path, 403]);
    }
    for (const path of [`/admin/send/event/${theirs}`, `/admin/send/event/not-an-id`, `/admin/send/event/${crypto.randomUUID()}`]) {
      expect([path, (await getPage(path, sender)).status]).toEqual([path, 404]);
    }
    expect((await postForm(`/admin/send/event/${theirs}/preview`, { params: "{}" }, { cookie: sender })).status).toBe(404);
    expect((await postForm(`/admin/send/event/${theirs}`, { params: "{}", version: "1", hash: "x", token: crypto.randomUUID() }, { cookie: sender })).status).toBe(404);

    const confirmation = confirmationOf((await preview(eventId, { ...PARAMS, amount: "4000" })).html);
    const crossSite = await postForm(`/admin/send/event/${eventId}`, confirmation, { cookie: sender, headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect((await postForm(`/admin/send/event/${eventId}/preview`, { params: "{}" }, { cookie: sender, headers: { origin: "https://evil.example" } })).status).toBe(403);

    const before = sent();
    let deep: unknown = "x";
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    const odd = ["{", "[1]", "null", "x".repeat(200_000), JSON.stringify(deep), JSON.stringify({ ...PARAMS, firstname: { nested: { deep: [1] } } }), JSON.stringify({ firstname: "Lucky" }), `{"a": "\u0000\ud800"}`];
    for (const params of odd) {
      for (const path of [`/admin/send/event/${eventId}/preview`, `/admin/send/event/${eventId}`]) {
        const res = await postForm(path, { params, version: "2", hash: "x", token: crypto.randomUUID() }, { cookie: sender });
        const html = await res.text();
        expect([params.slice(0, 40), path, res.status]).toEqual([params.slice(0, 40), path, expect.any(Number)]);
        expect(res.status, `${params.slice(0, 40)} ${path}`).toBeLessThan(500);
        // Refused at the params field (or, at the send, not what was previewed).
        if (res.status === 422) expect(html).toContain('href="#params"');
        else expect(res.status).toBe(path.endsWith("/preview") ? 200 : 409);
      }
    }
    // The missing-param and invalid-JSON cases are refused at the field at preview.
    for (const params of ["{", "x".repeat(200_000), JSON.stringify(deep), JSON.stringify({ firstname: "Lucky" })]) {
      const { res, html } = await preview(eventId, params);
      expect([params.slice(0, 40), res.status]).toEqual([params.slice(0, 40), 422]);
      expect(html).toContain('href="#params"');
    }
    await settleQueues();
    expect(sent()).toEqual(before);
  });
});
