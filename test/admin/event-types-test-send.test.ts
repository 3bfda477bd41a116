import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { adminUsers } from "../../src/db/schema";
import { uuidv7 } from "../../src/lib/ids";
import { asAdmin, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { apiPost, getPage, postForm, userSession } from "./helpers";

// A test send is a live send of the session's tenant: it reaches the (mocked) providers, whose
// wire bodies show who it went to.
const mocks = createProviderMocks();
const db = createDb(env.DB);

/** A session of a user with a sign-in address (or none: userId null, as an operator's view would have). */
async function session(tenant: TestTenant, role: "read" | "send" | "manage", email?: string): Promise<string> {
  let userId: string | null = null;
  if (email) {
    userId = uuidv7(Date.now());
    await db.insert(adminUsers).values({ id: userId, tenantId: tenant.id, email, role, createdAt: new Date() });
  }
  return userSession(tenant, role, userId);
}

const PARAMS = { firstname: "Lucky", lastname: "Applicant", program: "Small Business Development Fund", amount: "1000", emailaddress: "lucky@me.example.com", phonenumber: "+16135550111" };

let tenant: TestTenant;
let other: TestTenant;
let eventId: string;
let theirs: string;
let sender: string;
let anonymous: string;
let reader: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Test send UI tenant");
  other = await createTestTenant("Test send UI other");
  sender = await session(tenant, "send", `designer-${crypto.randomUUID().slice(0, 6)}@tenant.example.gov`);
  anonymous = await session(tenant, "send");
  reader = await session(tenant, "read");
  const emailTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Funding Approved Email", channel: "email", subject: "Notification of funding approval for {{program}}", body: "Dear {{firstname}} {{lastname}}, ${{amount}} for {{program}}" });
  const smsTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Funding Approved SMS", channel: "sms", body: "Hey {{firstname}} {{lastname}} You just got awarded ${{amount}} for {{program}}" });
  await apiPost(tenant, "/api/v1/groups", { name: "FundingApprovers", members: [{ email: "fred@approvers.example.gov", phone: "+16135550122" }, { email: "joan@approvers.example.gov" }] });
  // The tenant's default cc and bcc: a test must leave them out too.
  const patched = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { cc: ["audit@tenant.example.gov"], bcc: ["records@tenant.example.gov"] } } });
  expect(patched.status, await patched.clone().text()).toBe(200);
  eventId = await apiPost(tenant, "/api/v1/notifyevent/types", {
    code: "funding-approved",
    name: "Funding approved",
    email: { content: { templateId: emailTemplate }, recipients: { to: ["{{emailaddress}}"], cc: ["group:FundingApprovers"], bcc: ["boss@tenant.example.gov"] } },
    sms: { content: { templateId: smsTemplate }, recipients: { to: ["{{phonenumber}}", "group:FundingApprovers"] } },
  });
  theirs = await apiPost(other, "/api/v1/notifyevent/types", { code: "theirs", name: "Theirs" });
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

const sentTo = () => ({
  email: mocks.captured.ses.flatMap((m) => [...(m.destination.ToAddresses ?? []), ...(m.destination.CcAddresses ?? []), ...(m.destination.BccAddresses ?? [])]),
  sms: mocks.captured.twilio.map((m) => m.to),
});

describe("admin UI: send me a test of an event type", () => {
  it("sends the event's templates with the typed params to the person only: no to, cc, bcc, group or tenant default reaches anyone else; tagged, audited, linked to Activity", async () => {
    const form = await (await getPage(`/admin/event-types/${eventId}/test`, sender)).text();
    expect(form).toContain("Email to your sign-in address");
    expect(form).not.toContain('name="email"');
    // The params field starts with the templates' placeholders.
    expect(form).toMatch(/&quot;firstname&quot;: &quot;&quot;/);

    const before = { ses: mocks.captured.ses.length, twilio: mocks.captured.twilio.length };
    const res = await postForm(`/admin/event-types/${eventId}/test`, { phone: "+16135550199", params: JSON.stringify(PARAMS) }, { cookie: sender });
    expect(res.status, await res.clone().text()).toBe(303);
    const location = res.headers.get("location")!;
    const notifyId = new RegExp(`^/admin/event-types/${eventId}/test/([0-9a-f-]{36})$`).exec(location)?.[1];
    expect(notifyId, location).toBeDefined();
    await settleQueues();

    const ses = mocks.captured.ses.slice(before.ses);
    const twilio = mocks.captured.twilio.slice(before.twilio);
    expect(ses).toHaveLength(1);
    expect(ses[0]!.destination.ToAddresses).toEqual([expect.stringMatching(/^designer-.*@tenant\.example\.gov$/)]);
    expect(ses[0]!.destination.CcAddresses ?? []).toEqual([]);
    expect(ses[0]!.destination.BccAddresses ?? []).toEqual([]);
    expect(ses[0]!.mime.subject).toBe("Notification of funding approval for Small Business Development Fund");
    expect(twilio.map((m) => m.to)).toEqual(["+16135550199"]);
    expect(twilio[0]!.body).toBe("Hey Lucky Applicant You just got awarded $1000 for Small Business Development Fund");
    const everyone = sentTo();
    for (const stranger of ["lucky@me.example.com", "fred@approvers.example.gov", "joan@approvers.example.gov", "boss@tenant.example.gov", "audit@tenant.example.gov", "records@tenant.example.gov"]) expect(everyone.email).not.toContain(stranger);
    for (const stranger of ["+16135550111", "+16135550122"]) expect(everyone.sms).not.toContain(stranger);

    // Marked as a test, the event type's own send otherwise; its resolution names the test layer.
    const api = await json<{ tags: string[]; eventType: { code: string }; resolution: { channels: { email: Record<string, string> } } }>(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(api.tags).toContain("test");
    expect(api.eventType.code).toBe("funding-approved");
    expect(api.resolution.channels.email["recipients.to"]).toBe("request (send me a test)");
    expect(api.resolution.channels.email["content.templateId"]).toBe("event");

    const result = await getPage(location, sender);
    expect(result.status).toBe(200);
    const shown = await result.text();
    expect(shown).toContain("Test sent");
    expect(shown).toContain(`href="/admin/activity/${notifyId}"`);
    // Activity marks it as a test, as it does a test key's sends.
    const activity = await (await getPage(`/admin/activity/${notifyId}`, sender)).text();
    expect(activity).toContain('<strong class="tag tag--yellow">Test</strong>');
    expect(await (await getPage(`/admin/activity?tag=test`, sender)).text()).toContain(notifyId);

    const audited = await db.query.auditLog.findMany({ where: (a, { eq }) => eq(a.target, `event_type:${eventId}`) });
    expect(audited.map((a) => a.action)).toContain("event_type.test_sent");

    // Twice in a row is two tests, not a duplicate of the first.
    const again = await postForm(`/admin/event-types/${eventId}/test`, { phone: "", params: JSON.stringify(PARAMS) }, { cookie: sender });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).not.toBe(location);
    await settleQueues();
  });

  it("a person without a sign-in address types one; it is checked at its field", async () => {
    const form = await (await getPage(`/admin/event-types/${eventId}/test`, anonymous)).text();
    expect(form).toContain('name="email"');
    const missing = await postForm(`/admin/event-types/${eventId}/test`, { email: "", phone: "", params: JSON.stringify(PARAMS) }, { cookie: anonymous });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('href="#email"');
    const invalid = await postForm(`/admin/event-types/${eventId}/test`, { email: "not-an-address", phone: "", params: JSON.stringify(PARAMS) }, { cookie: anonymous });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toMatch(/href="#email">Your email address:/);
    const badPhone = await postForm(`/admin/event-types/${eventId}/test`, { email: "me@tenant.example.gov", phone: "12", params: JSON.stringify(PARAMS) }, { cookie: anonymous });
    expect(badPhone.status).toBe(422);
    expect(await badPhone.text()).toContain('href="#phone"');
    // One person: the send path would read a list, a group or a placeholder as many recipients.
    for (const [email, phone, field] of [
      ["me@tenant.example.gov, you@tenant.example.gov", "", "email"],
      ["group:FundingApprovers", "", "email"],
      ["{{emailaddress}}", "", "email"],
      ["me@tenant.example.gov", "+17787001234,+17787001235", "phone"],
      ["me@tenant.example.gov", "{{phonenumber}}", "phone"],
      ["me@tenant.example.gov", "group:x", "phone"],
    ] as const) {
      const many = await postForm(`/admin/event-types/${eventId}/test`, { email, phone, params: JSON.stringify(PARAMS) }, { cookie: anonymous });
      expect([email, phone, many.status]).toEqual([email, phone, 422]);
      expect(await many.text()).toContain(`href="#${field}"`);
    }
    const missingParam = await postForm(`/admin/event-types/${eventId}/test`, { email: "me@tenant.example.gov", phone: "", params: JSON.stringify({ firstname: "Lucky" }) }, { cookie: anonymous });
    expect(missingParam.status).toBe(422);
    expect(await missingParam.text()).toContain('href="#params"');
    const before = mocks.captured.ses.length;
    const ok = await postForm(`/admin/event-types/${eventId}/test`, { email: "me@tenant.example.gov", phone: "", params: JSON.stringify(PARAMS) }, { cookie: anonymous });
    expect(ok.status, await ok.clone().text()).toBe(303);
    await settleQueues();
    expect(mocks.captured.ses.slice(before).map((m) => m.destination.ToAddresses)).toEqual([["me@tenant.example.gov"]]);
  });

  it("in trial mode the address must be on the guest list, as for any send", async () => {
    const trial = await createTestTenant("Test send UI trial");
    const who = await session(trial, "send");
    const tpl = await apiPost(trial, "/api/v1/templates", { name: "Hi", channel: "email", subject: "Hi {{firstname}}", body: "Hello {{firstname}}" });
    const id = await apiPost(trial, "/api/v1/notifyevent/types", { code: "hi", name: "Hi", email: { content: { templateId: tpl }, recipients: { to: ["{{emailaddress}}"] } } });
    expect((await asAdmin("PATCH", `/api/v1/tenants/${trial.id}`, { body: { status: "trial" } })).status).toBe(200);
    const refused = await postForm(`/admin/event-types/${id}/test`, { email: "stranger@example.com", params: JSON.stringify({ firstname: "A" }) }, { cookie: who });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/href="#email">Your email address: stranger@example\.com is not on your guest list/);
  });

  it("read cannot send a test; another tenant's event type is the 404 page; CSRF; odd input is never a 500", async () => {
    expect((await getPage(`/admin/event-types/${eventId}/test`, reader)).status).toBe(403);
    expect((await postForm(`/admin/event-types/${eventId}/test`, { params: "{}" }, { cookie: reader })).status).toBe(403);
    expect(await (await getPage(`/admin/event-types/${eventId}`, reader)).text()).not.toContain(`/admin/event-types/${eventId}/test`);
    for (const path of [`/admin/event-types/${theirs}/test`, `/admin/event-types/not-an-id/test`, `/admin/event-types/${eventId}/test/not-an-id`, `/admin/event-types/${eventId}/test/${crypto.randomUUID()}`]) {
      expect((await getPage(path, sender)).status, path).toBe(404);
    }
    expect((await postForm(`/admin/event-types/${theirs}/test`, { params: "{}" }, { cookie: sender })).status).toBe(404);
    // Another tenant's notification is not shown under one of this tenant's event types.
    const otherTemplate = await apiPost(other, "/api/v1/templates", { name: "T", channel: "email", subject: "S", body: "B" });
    const otherSend = await asTenant(other, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: ["x@other.example.gov"] }, content: { templateId: otherTemplate } } });
    const otherNotify = (await json<{ notifyId: string }>(otherSend)).notifyId;
    expect((await getPage(`/admin/event-types/${eventId}/test/${otherNotify}`, sender)).status).toBe(404);
    // Nor one of this tenant's notifications that is not a test of this event type.
    const ownTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Plain", channel: "email", subject: "S", body: "B" });
    const ownSend = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { key: tenant.keys.test, body: { recipients: { to: ["x@tenant.example.gov"] }, content: { templateId: ownTemplate } } });
    expect(ownSend.status, await ownSend.clone().text()).toBe(201);
    expect((await getPage(`/admin/event-types/${eventId}/test/${(await json<{ notifyId: string }>(ownSend)).notifyId}`, sender)).status).toBe(404);
    await settleQueues();

    const crossSite = await postForm(`/admin/event-types/${eventId}/test`, { params: "{}" }, { cookie: sender, headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);

    const before = { ses: mocks.captured.ses.length, twilio: mocks.captured.twilio.length };
    const odd: Record<string, string>[] = [
      { params: "{" },
      { params: "[1]" },
      { params: "x".repeat(200_000) },
      { phone: "x".repeat(5000), params: "{}" },
      { email: "a@b.c".repeat(1000), params: "{}" },
      { phone: "+1\u0000", params: JSON.stringify(PARAMS) },
      { params: JSON.stringify({ ...PARAMS, firstname: { nested: { deep: [1] } } }) },
    ];
    for (const fields of odd) {
      const res = await postForm(`/admin/event-types/${eventId}/test`, fields, { cookie: sender });
      expect(res.status, JSON.stringify(fields).slice(0, 60)).toBeLessThan(500);
    }
    await settleQueues();
    // None of the odd posts reached anyone but the person testing.
    expect(mocks.captured.ses.slice(before.ses).flatMap((m) => m.destination.ToAddresses ?? [])).toEqual(mocks.captured.ses.slice(before.ses).map(() => expect.stringMatching(/^designer-/)));
    expect(mocks.captured.twilio.length - before.twilio).toBe(0);
  });
});
