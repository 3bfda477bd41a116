import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { twilioSignature } from "../../src/services/receipts/twilio";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { callWith, providerMessageIdOf, sendAndDeliver, statusOf, wiredEnv } from "./helpers";

const mocks = createProviderMocks();
let tenant: TestTenant;
const HOOK_URL = "https://notify.test/hooks/twilio";
const TOKEN = env.TWILIO_AUTH_TOKEN!;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Twilio receipts", { status: "live" });
});
// No reset between tests: the fake Twilio numbers its SIDs by what it captured, and a receipt must
// name one message only.
afterAll(() => mocks.server.close());

/** A status callback as Twilio posts it (the fields of its Messaging status callback), signed unless `signature` is given. */
async function callback(fields: Record<string, string>, options: { signature?: string | null; token?: string; e?: ReturnType<typeof wiredEnv> } = {}) {
  const params = new URLSearchParams({ AccountSid: env.TWILIO_ACCOUNT_SID!, From: "+15005550006", To: "+17787001234", ApiVersion: "2010-04-01", SmsStatus: fields.MessageStatus ?? "", ...fields });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "i-twilio-idempotency-token": crypto.randomUUID() };
  const signature = options.signature === undefined ? await twilioSignature(options.token ?? TOKEN, HOOK_URL, params) : options.signature;
  if (signature !== null) headers["x-twilio-signature"] = signature;
  return callWith(options.e ?? wiredEnv(), "/hooks/twilio", { method: "POST", headers, body: params.toString() });
}

async function sentSms(to = "+17787001234") {
  const { notifyId, deliveryIds } = await sendAndDeliver(tenant, "/api/v1/notifysimple/sms", { recipients: { to: [to] }, content: { body: "Hello" } });
  return { notifyId, sid: await providerMessageIdOf(deliveryIds[0]!) };
}

describe("Twilio delivery receipts", () => {
  it("wired: the send asks Twilio for status callbacks and an accepted message stays sending; unwired: delivered, no StatusCallback", async () => {
    const { notifyId } = await sentSms();
    expect(mocks.captured.twilio.at(-1)).toMatchObject({ to: "+17787001234", body: "Hello" });
    expect((await statusOf(tenant, notifyId)).messages[0]).toMatchObject({ status: "sending", providerMessageId: expect.stringMatching(/^SM/) });

    const plain = await sendAndDeliver(tenant, "/api/v1/notifysimple/sms", { recipients: { to: ["+17787001235"] }, content: { body: "Hello" } }, env);
    expect((await statusOf(tenant, plain.notifyId))).toMatchObject({ status: "delivered", messages: [{ status: "delivered" }] });
  });

  it("sent, then delivered: the message is delivered, with completedAt; the same callback again changes nothing", async () => {
    const { notifyId, sid } = await sentSms();
    expect(await json(await callback({ MessageSid: sid, MessageStatus: "sent" }))).toEqual({ applied: 0, ignored: 1 });
    const res = await callback({ MessageSid: sid, MessageStatus: "delivered" });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 1, ignored: 0 });
    const status = await statusOf(tenant, notifyId);
    expect(status).toMatchObject({ status: "delivered", counts: { delivered: 1 } });
    expect(status.messages[0].completedAt).toEqual(expect.any(String));

    expect(await json(await callback({ MessageSid: sid, MessageStatus: "delivered" }))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusOf(tenant, notifyId)).toMatchObject({ status: "delivered", counts: { delivered: 1 } });
  });

  it("out of order: sent or undelivered after delivered changes nothing", async () => {
    const { notifyId, sid } = await sentSms();
    await callback({ MessageSid: sid, MessageStatus: "delivered" });
    expect(await json(await callback({ MessageSid: sid, MessageStatus: "sent" }))).toEqual({ applied: 0, ignored: 1 });
    expect(await json(await callback({ MessageSid: sid, MessageStatus: "undelivered", ErrorCode: "30005" }))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusOf(tenant, notifyId)).toMatchObject({ status: "delivered", messages: [{ status: "delivered", error: null }] });
  });

  it("undelivered 30003 (handset off) is a temporary failure; 30006 (landline) a permanent one, with Twilio's code", async () => {
    const off = await sentSms("+17787001240");
    await callback({ MessageSid: off.sid, MessageStatus: "undelivered", ErrorCode: "30003" });
    expect((await statusOf(tenant, off.notifyId)).messages[0]).toMatchObject({
      status: "temporary-failure",
      error: { code: "delivery_failed_temporarily", retryable: true, provider: "twilio", providerCode: "30003" },
    });
    const landline = await sentSms("+17787001241");
    await callback({ MessageSid: landline.sid, MessageStatus: "failed", ErrorCode: "30006" });
    const status = await statusOf(tenant, landline.notifyId);
    expect(status).toMatchObject({ status: "failed", messages: [{ status: "permanent-failure", error: { code: "delivery_failed_permanently", retryable: false, providerCode: "30006" } }] });
    // The tenant's suppressOn.bounce is off by default: no suppression.
    const list = await json(await asTenant(tenant, "GET", "/api/v1/suppressions?recipient=%2B17787001241"));
    expect(list.items).toEqual([]);
  });

  it("a permanent failure suppresses the number when the tenant's suppressOn.bounce is on", async () => {
    const other = await createTestTenant("Twilio bounce suppression", { status: "live" });
    expect((await asTenant(other, "PATCH", "/api/v1/tenant/defaults", { body: { suppressOn: { bounce: true } } })).status).toBe(200);
    const { notifyId, deliveryIds } = await sendAndDeliver(other, "/api/v1/notifysimple/sms", { recipients: { to: ["+17787001250"] }, content: { body: "Hello" } });
    const sid = await providerMessageIdOf(deliveryIds[0]!);
    expect(await json(await callback({ MessageSid: sid, MessageStatus: "failed", ErrorCode: "30005" }))).toEqual({ applied: 1, ignored: 0 });
    expect((await statusOf(other, notifyId)).messages[0].status).toBe("permanent-failure");
    const list = await json(await asTenant(other, "GET", "/api/v1/suppressions?channel=sms"));
    expect(list.items).toMatchObject([{ recipient: "+17787001250", source: "provider" }]);
  });

  it("refuses a callback without a signature (401) or with a wrong one (403), changing nothing", async () => {
    const { notifyId, sid } = await sentSms();
    const missing = await callback({ MessageSid: sid, MessageStatus: "delivered" }, { signature: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((await callback({ MessageSid: sid, MessageStatus: "delivered" }, { token: "not-the-auth-token" })).status).toBe(403);
    expect((await callback({ MessageSid: sid, MessageStatus: "delivered" }, { signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" })).status).toBe(403);
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("sending");
  });

  it("a signature over other parameters than those posted is refused", async () => {
    const { notifyId, sid } = await sentSms();
    const signed = new URLSearchParams({ MessageSid: sid, MessageStatus: "sent" });
    const signature = await twilioSignature(TOKEN, HOOK_URL, signed);
    const res = await callWith(wiredEnv(), "/hooks/twilio", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      body: new URLSearchParams({ MessageSid: sid, MessageStatus: "delivered" }).toString(),
    });
    expect(res.status).toBe(403);
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("sending");
  });

  it("a callback for a message this deployment does not know is answered 200 and ignored", async () => {
    const res = await callback({ MessageSid: `SM${"f".repeat(32)}`, MessageStatus: "delivered" });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 0, ignored: 1 });
  });

  it("answers 404 where Twilio receipts are not wired", async () => {
    const res = await callback({ MessageSid: `SM${"f".repeat(32)}`, MessageStatus: "delivered" }, { e: wiredEnv({ RECEIPT_PROVIDERS: "ses" }) });
    expect(res.status).toBe(404);
  });
});
