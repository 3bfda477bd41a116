import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAdmin, json, notifyToken, call } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

/**
 * Issue 11: a send that resolves no reply-to address (email) or sender id (SMS) from any layer
 * uses the tenant's default entry, like GOV.UK Notify without `email_reply_to_id` /
 * `sms_sender_id`. Checked on the wire (SES's raw MIME Reply-To, Twilio's From).
 */
const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mocks.server.close());

const addReplyTo = async (t: TestTenant, email: string, isDefault = true) => json(await asTenant(t, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email, isDefault } }));
const addSender = async (t: TestTenant, sender: string, isDefault = true) => json(await asTenant(t, "POST", "/api/v1/tenant/sms-senders", { body: { sender, isDefault } }));
const remove = async (t: TestTenant, kind: "reply-to-addresses" | "sms-senders", id: string) => expect((await asTenant(t, "DELETE", `/api/v1/tenant/${kind}/${id}`)).status).toBe(204);

const v2 = async (t: TestTenant, path: string, body: unknown) => call("POST", `/v2${path}`, { body, headers: { authorization: `Bearer ${await notifyToken(t.keys.live)}` } });

/** The Reply-To header SES was handed for the email to `to` (null: none). */
function replyToOnWire(to: string): string | null {
  const sent = mocks.captured.ses.findLast((s) => s.destination.ToAddresses?.includes(to));
  if (!sent) throw new Error(`no email to ${to} reached SES`);
  return sent.mime.replyTo?.map((a) => a.address).join(", ") ?? null;
}

/** The From Twilio was handed for the text to `to`. */
function fromOnWire(to: string): string | null {
  const sent = mocks.captured.twilio.findLast((s) => s.to === to);
  if (!sent) throw new Error(`no text to ${to} reached Twilio`);
  return sent.from;
}

let n = 0;
const uniqueEmail = () => `person${++n}-${crypto.randomUUID().slice(0, 6)}@example.com`;
const uniquePhone = () => `+1778700${String(Math.floor(Math.random() * 1e4)).padStart(4, "0")}`;

const email = (to: string, sender: Record<string, unknown> = {}) => ({ recipients: { to: [to] }, content: { subject: "s", body: "b" }, ...(Object.keys(sender).length ? { sender } : {}) });
const sms = (to: string, sender: Record<string, unknown> = {}) => ({ recipients: { to: [to] }, content: { body: "hi" }, ...(Object.keys(sender).length ? { sender } : {}) });

async function previewOf(t: TestTenant, body: unknown) {
  const res = await asTenant(t, "POST", "/api/v1/notifysimple?preview=true&explain=true", { body });
  if (res.status !== 200) throw new Error(`preview: ${res.status} ${await res.text()}`);
  return json(res);
}

async function tenantCopy(t: TestTenant) {
  return env.DB.prepare("SELECT default_reply_to AS replyTo, default_sms_sender AS sms FROM tenants WHERE id = ?").bind(t.id).first<{ replyTo: string | null; sms: string | null }>();
}

describe("GOV.UK Notify's v2 API", () => {
  it("an email without email_reply_to_id carries the default reply-to address, and an SMS without sms_sender_id the default sender; an id overrides both", async () => {
    const t = await createTestTenant();
    const emailTemplate = (await json(await asTenant(t, "POST", "/api/v1/templates", { body: { name: "e", channel: "email", subject: "Hi", body: "Hello", renderer: "gc" } }))).id;
    const smsTemplate = (await json(await asTenant(t, "POST", "/api/v1/templates", { body: { name: "s", channel: "sms", body: "Hello", renderer: "gc" } }))).id;
    await addReplyTo(t, "help@example.gov");
    const other = await addReplyTo(t, "other@example.gov", false);
    await addSender(t, "NotifyGC");
    const otherSender = await addSender(t, "OtherGC", false);

    const to = uniqueEmail();
    const sent = await v2(t, "/notifications/email", { email_address: to, template_id: emailTemplate });
    expect(sent.status).toBe(201);
    const emailId = (await json(sent)).id;
    await waitForNotification(t, emailId, (x) => x.status === "delivered");
    expect(replyToOnWire(to)).toBe("help@example.gov");

    const phone = uniquePhone();
    const text = await v2(t, "/notifications/sms", { phone_number: phone, template_id: smsTemplate });
    expect(text.status).toBe(201);
    const textBody = await json(text);
    expect(textBody.content.from_number).toBe("NotifyGC");
    await waitForNotification(t, textBody.id, (x) => x.status === "delivered");
    expect(fromOnWire(phone)).toBe("NotifyGC");

    // The stored resolution names where the values came from.
    const stored = await json(await asTenant(t, "GET", `/api/v1/notify/${emailId}`));
    expect(stored.resolution.channels.email["sender.replyTo"]).toBe("tenant (default reply-to address)");

    // An id names another entry: it decides.
    const to2 = uniqueEmail();
    const byId = await json(await v2(t, "/notifications/email", { email_address: to2, template_id: emailTemplate, email_reply_to_id: other.id }));
    await waitForNotification(t, byId.id, (x) => x.status === "delivered");
    expect(replyToOnWire(to2)).toBe("other@example.gov");
    const phone2 = uniquePhone();
    const textById = await json(await v2(t, "/notifications/sms", { phone_number: phone2, template_id: smsTemplate, sms_sender_id: otherSender.id }));
    await waitForNotification(t, textById.id, (x) => x.status === "delivered");
    expect(fromOnWire(phone2)).toBe("OtherGC");
  });
});

describe("the universal API", () => {
  it("sends with the defaults, and an explicit value or id overrides them", async () => {
    const t = await createTestTenant();
    await addReplyTo(t, "help@example.gov");
    const other = await addReplyTo(t, "other@example.gov", false);
    await addSender(t, "NotifyGC");
    const otherSender = await addSender(t, "OtherGC", false);

    const to = uniqueEmail();
    const phone = uniquePhone();
    const res = await asTenant(t, "POST", "/api/v1/notifysimple", { body: { email: { ...email(to), sender: { from: "notify@example.gov" } }, sms: sms(phone) } });
    expect(res.status).toBe(201);
    await waitForNotification(t, (await json(res)).notifyId);
    expect(replyToOnWire(to)).toBe("help@example.gov");
    expect(fromOnWire(phone)).toBe("NotifyGC");

    const inline = await previewOf(t, { email: email(uniqueEmail(), { replyTo: ["mine@example.com"] }), sms: sms(uniquePhone(), { senderId: "Mine" }) });
    expect(inline.email[0].replyTo).toEqual(["mine@example.com"]);
    expect(inline.sms[0].from).toBe("Mine");
    expect(inline.resolution.channels.email["sender.replyTo"]).toBe("request");
    expect(inline.resolution.channels.sms["sender.senderId"]).toBe("request");

    const byId = await previewOf(t, { email: email(uniqueEmail(), { replyToId: other.id }), sms: sms(uniquePhone(), { senderIdRef: otherSender.id }) });
    expect(byId.email[0].replyTo).toEqual(["other@example.gov"]);
    expect(byId.sms[0].from).toBe("OtherGC");
  });

  it("an event type's replyTo or id overrides the default; explain names the default when it decides", async () => {
    const t = await createTestTenant();
    await addReplyTo(t, "help@example.gov");
    const other = await addReplyTo(t, "other@example.gov", false);
    const created = await asTenant(t, "POST", "/api/v1/notifyevent/types", { body: { code: "plain", name: "Plain", email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } } } });
    expect(created.status).toBe(201);
    const plain = await json(await asTenant(t, "POST", "/api/v1/notifyevent?preview=true&explain=true", { body: { notificationEventType: "plain" } }));
    expect(plain.email[0].replyTo).toEqual(["help@example.gov"]);
    expect(plain.resolution.channels.email["sender.replyTo"]).toBe("tenant (default reply-to address)");
    expect((await asTenant(t, "POST", "/api/v1/notifyevent/types", { body: { code: "byid", name: "By id", email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" }, sender: { replyToId: other.id } } } })).status).toBe(201);
    const byId = await json(await asTenant(t, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "byid" } }));
    expect(byId.email[0].replyTo).toEqual(["other@example.gov"]);
  });

  it("the tenant defaults' email.replyTo and sms.senderId win over the default entries, and SMS_FROM gives way to the default sender", async () => {
    const t = await createTestTenant();
    const noDefaults = await previewOf(t, { email: email(uniqueEmail()), sms: sms(uniquePhone()) });
    expect(noDefaults.email[0].replyTo).toEqual([]);
    expect(noDefaults.sms[0].from).toBe("+15005550006");
    expect(noDefaults.resolution.channels.email["sender.replyTo"]).toBeUndefined();
    expect(noDefaults.resolution.channels.sms["sender.senderId"]).toBe("system");

    await addReplyTo(t, "help@example.gov");
    await addSender(t, "NotifyGC");
    const withEntries = await previewOf(t, { email: email(uniqueEmail()), sms: sms(uniquePhone()) });
    expect(withEntries.email[0].replyTo).toEqual(["help@example.gov"]);
    expect(withEntries.sms[0].from).toBe("NotifyGC");
    expect(withEntries.resolution.channels.sms["sender.senderId"]).toBe("tenant (default SMS sender)");

    expect((await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { replyTo: ["desk@example.gov"] }, sms: { senderId: "DeskGC" } } })).status).toBe(200);
    const withSettings = await previewOf(t, { email: email(uniqueEmail()), sms: sms(uniquePhone()) });
    expect(withSettings.email[0].replyTo).toEqual(["desk@example.gov"]);
    expect(withSettings.sms[0].from).toBe("DeskGC");
    expect(withSettings.resolution.channels.email["sender.replyTo"]).toBe("tenant");
  });

  it("changing or deleting the default takes effect on the next send", async () => {
    const t = await createTestTenant();
    const first = await addReplyTo(t, "first@example.gov");
    const firstSender = await addSender(t, "FirstGC");
    const look = async () => {
      const p = await previewOf(t, { email: email(uniqueEmail()), sms: sms(uniquePhone()) });
      return [p.email[0].replyTo, p.sms[0].from];
    };
    expect(await look()).toEqual([["first@example.gov"], "FirstGC"]);

    const second = await addReplyTo(t, "second@example.gov");
    const secondSender = await addSender(t, "SecondGC");
    expect(await look()).toEqual([["second@example.gov"], "SecondGC"]);

    // Deleting an entry that is not the default changes nothing; deleting the default leaves none.
    await remove(t, "reply-to-addresses", first.id);
    await remove(t, "sms-senders", firstSender.id);
    expect(await look()).toEqual([["second@example.gov"], "SecondGC"]);
    await remove(t, "reply-to-addresses", second.id);
    await remove(t, "sms-senders", secondSender.id);
    expect(await look()).toEqual([[], "+15005550006"]);
    expect(await tenantCopy(t)).toEqual({ replyTo: null, sms: null });

    // A new entry that is not marked default does not become one.
    await addReplyTo(t, "third@example.gov", false);
    expect(await look()).toEqual([[], "+15005550006"]);
  });

  it("an inbound number the operator assigns as default is the default sender, and releasing it clears it", async () => {
    const t = await createTestTenant();
    const assigned = await asAdmin("POST", `/api/v1/tenants/${t.id}/inbound-numbers`, { body: { number: "+17785550142", isDefault: true } });
    expect(assigned.status).toBe(201);
    const sender = await json(assigned);
    expect((await previewOf(t, { sms: sms(uniquePhone()) })).sms[0].from).toBe("+17785550142");
    expect((await asAdmin("DELETE", `/api/v1/tenants/${t.id}/inbound-numbers/${sender.id}`)).status).toBe(204);
    expect((await previewOf(t, { sms: sms(uniquePhone()) })).sms[0].from).toBe("+15005550006");

    // A sender the tenant already has, turned inbound and default in place.
    const own = await addSender(t, "+17785550143", false);
    const again = await asAdmin("POST", `/api/v1/tenants/${t.id}/inbound-numbers`, { body: { number: "+17785550143", isDefault: true } });
    expect(again.status).toBe(200);
    expect((await json(again)).id).toBe(own.id);
    expect((await previewOf(t, { sms: sms(uniquePhone()) })).sms[0].from).toBe("+17785550143");
    expect((await tenantCopy(t))!.sms).toBe("+17785550143");
  });

  it("concurrent set-defaults leave the tenant's copy equal to the table's one default", async () => {
    const t = await createTestTenant();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => asTenant(t, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email: `d${i}@example.gov`, isDefault: true } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    await Promise.all(Array.from({ length: 10 }, (_, i) => asTenant(t, "POST", "/api/v1/tenant/sms-senders", { body: { sender: `Race${i}`, isDefault: true } })));
    const table = await env.DB.prepare(
      "SELECT (SELECT email FROM reply_to_addresses WHERE tenant_id = ?1 AND is_default = 1) AS replyTo, (SELECT sender FROM sms_senders WHERE tenant_id = ?1 AND is_default = 1) AS sms",
    )
      .bind(t.id)
      .first<{ replyTo: string; sms: string }>();
    expect(table!.replyTo).toMatch(/^d\d@example\.gov$/);
    expect(table!.sms).toMatch(/^Race\d$/);
    expect(await tenantCopy(t)).toEqual(table);
    expect((await previewOf(t, { email: email(uniqueEmail()) })).email[0].replyTo).toEqual([table!.replyTo]);

    // Deleting concurrently, the default among them, leaves the copy equal too (none).
    const items = (await json(await asTenant(t, "GET", "/api/v1/tenant/reply-to-addresses"))).items as { id: string }[];
    await Promise.all(items.map((i) => asTenant(t, "DELETE", `/api/v1/tenant/reply-to-addresses/${i.id}`)));
    expect((await tenantCopy(t))!.replyTo).toBeNull();
  });
});
