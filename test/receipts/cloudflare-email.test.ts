import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { createReceiver } from "../callbacks/receiver";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { sendWith, statusesOf, wiredFor } from "./email-hooks";
import { callWith, providerMessageIdOf } from "./helpers";

const mocks = createProviderMocks();
const receiver = createReceiver(mocks.server);
let tenant: TestTenant;
let hookUrl: string;

/**
 * The `send_email` binding as the adapter calls it: answers `{ messageId }` in the Message-ID
 * form (angle brackets), a new id per call; `beforeAnswer` runs while the call is still open.
 */
const binding = {
  calls: 0,
  beforeAnswer: undefined as ((messageId: string) => Promise<void>) | undefined,
  async send(): Promise<EmailSendResult> {
    const messageId = `0101018f7d0c4d9a-${crypto.randomUUID()}@cf.example`;
    binding.calls++;
    const hook = binding.beforeAnswer;
    binding.beforeAnswer = undefined;
    await hook?.(messageId);
    return { messageId: `<${messageId}>` };
  },
};
// The suite's env has no binding: this deployment sends with Cloudflare and has its events wired.
const e = wiredFor("cloudflare", { SEND_EMAIL: binding as unknown as SendEmail, EMAIL_PROVIDER: "cloudflare" });

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Cloudflare Email events", { status: "live" });
  const res = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: (hookUrl = receiver.url()), channelType: ["email"], trigger: ["success", "failure"] } });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  // The callbacks the receipts fired are delivered by the suite's own queue: let them reach the
  // receiver before msw stops answering for it.
  for (let i = 0; i < 100; i++) {
    const open = await env.DB.prepare("SELECT COUNT(*) AS n FROM callback_events WHERE tenant_id = ? AND state IN ('pending', 'delivering')").bind(tenant.id).first<{ n: number }>();
    if (open!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  mocks.server.close();
});

// The envelope and payloads of Cloudflare's "Available Email Sending events" examples
// (https://developers.cloudflare.com/email-service/platform/event-subscriptions/), for our email.
function event(type: string, messageId: string, recipient: string, payload: Record<string, unknown> = {}, at = new Date()) {
  return {
    type: `cf.email.sending.message.${type}`,
    source: { type: "email.sending", zoneId: "023e105f4ecef8ad9ca31a8372d0c353", domain: "notify.test" },
    payload: { eventId: crypto.randomUUID(), messageId, sender: "noreply@notify.test", recipient, subject: "Hello", terminal: type !== "deferred", ...payload },
    metadata: { accountId: "f9f79265f388666de8122cfb508d7776", eventSubscriptionId: "1830c4bb612e43c3af7f4cada31fbf3f", eventSchemaVersion: 1, eventTimestamp: at.toISOString() },
  };
}
const DELIVERED = { delivery: { status: "delivered", provider: "gmail", deliveryTimeMs: 1234, smtpStatusCode: "250", smtpEnhancedStatusCode: "2.0.0", smtpResponse: "250 2.0.0 OK 1714820445 a1b2c3 - gsmtp" } };
const HARD_BOUNCE = {
  delivery: { status: "bounced", provider: "external_smtp", smtpStatusCode: "550", smtpEnhancedStatusCode: "5.1.1", smtpResponse: "550 5.1.1 User unknown" },
  bounce: { type: "hard", classification: "permanent_failure", reason: "550 5.1.1 User unknown" },
};
const SOFT_BOUNCE = {
  delivery: { status: "bounced", provider: "external_smtp", smtpStatusCode: "452", smtpEnhancedStatusCode: "4.2.2", smtpResponse: "452 4.2.2 Mailbox full" },
  bounce: { type: "soft", classification: "temporary_failure", reason: "452 4.2.2 Mailbox full" },
};
const DEFERRED = {
  delivery: { status: "deferred", provider: "external_smtp", smtpStatusCode: "451", smtpEnhancedStatusCode: "4.2.0", smtpResponse: "451 4.2.0 Temporary mailbox error" },
  bounce: { type: "soft", classification: "temporary_failure", reason: "451 4.2.0 Temporary mailbox error" },
};

/** Runs the real queue consumer on one batch of notify-email-events with `testEnv`. */
async function consume(bodies: unknown[], testEnv: Env = e) {
  const batch = createMessageBatch(
    "notify-email-events",
    bodies.map((body, i) => ({ id: `evt-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  expect(result.outcome).toBe("ok");
  expect(result.retryMessages).toEqual([]);
  expect([...result.explicitAcks].sort()).toEqual(batch.messages.map((m) => m.id).sort());
  return result;
}

async function sentEmail(to = ["ann@example.com"], cc: string[] = []) {
  const { notifyId, deliveryIds } = await sendWith(e, tenant, "/api/v1/notifysimple/email", {
    recipients: { to, ...(cc.length ? { cc } : {}) },
    content: { subject: "Hello", body: "Body" },
  });
  return { notifyId, messageId: await providerMessageIdOf(deliveryIds[0]!) };
}

async function callbackStatuses(notifyId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT status FROM callback_events WHERE notification_id = ? ORDER BY created_at, status").bind(notifyId).all<{ status: string }>();
  return rows.results.map((r) => r.status);
}

async function messageError(notifyId: string, recipient: string): Promise<any> {
  const row = await env.DB.prepare("SELECT error FROM messages WHERE notification_id = ? AND recipient = ?").bind(notifyId, recipient).first<{ error: string | null }>();
  return row?.error ? JSON.parse(row.error) : null;
}

describe("Cloudflare Email Sending events (notify-email-events)", () => {
  it("acceptance is sending once wired, stored without the Message-ID brackets; message.delivered moves it to delivered and fires the callback", async () => {
    const { notifyId, messageId } = await sentEmail();
    expect(messageId).toMatch(/^0101018f7d0c4d9a-[0-9a-f-]+@cf\.example$/);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending" });
    expect(await callbackStatuses(notifyId)).toEqual([]);

    await consume([event("delivered", messageId, "Ann@Example.com", DELIVERED)]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    expect(await callbackStatuses(notifyId)).toEqual(["delivered"]);
    const [callback] = await receiver.waitFor(hookUrl, 1);
    expect(callback!.json).toMatchObject({ notifyId, status: "delivered", provider: "cloudflare" });
    expect(callback!.headers["webhook-signature"]).toMatch(/^v1,/);
    const status = await json(await callWith(e, `/api/v1/notify/${notifyId}`, { headers: { "x-api-key": tenant.keys.live } }));
    expect(status).toMatchObject({ status: "delivered", messages: [{ status: "delivered", providerMessageId: messageId }] });
  });

  it("message.bounced: a hard bounce is permanent-failure, a soft one (retries exhausted) temporary-failure, per recipient", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"], ["bob@example.com"]);
    await consume([event("bounced", messageId, "ann@example.com", HARD_BOUNCE), event("bounced", messageId, "bob@example.com", SOFT_BOUNCE)]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "permanent-failure", "bob@example.com": "temporary-failure" });
    expect(await messageError(notifyId, "ann@example.com")).toMatchObject({
      code: "delivery_failed_permanently",
      message: "550 5.1.1 User unknown",
      retryable: false,
      provider: "cloudflare",
      providerCode: "hard/5.1.1",
    });
    expect(await messageError(notifyId, "bob@example.com")).toMatchObject({ code: "delivery_failed_temporarily", retryable: true, providerCode: "soft/4.2.2" });
    // A bounce after the bounce, and a late delivered, change nothing.
    await consume([event("delivered", messageId, "ann@example.com", DELIVERED), event("bounced", messageId, "ann@example.com", HARD_BOUNCE)]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "permanent-failure", "bob@example.com": "temporary-failure" });
  });

  it("message.deferred keeps the message sending while Cloudflare retries; the delivered that follows settles it", async () => {
    const { notifyId, messageId } = await sentEmail();
    await consume([event("deferred", messageId, "ann@example.com", DEFERRED)]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending" });
    await consume([event("delivered", messageId, "ann@example.com", DELIVERED)]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    expect(await callbackStatuses(notifyId)).toEqual(["delivered"]);
  });

  it("message.failed is a temporary failure and message.rejected a permanent one, with Cloudflare's reason", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"], ["bob@example.com"]);
    await consume([
      event("failed", messageId, "ann@example.com", { delivery: { status: "failed" }, failure: { reason: "delivery_failed" } }),
      event("rejected", messageId, "bob@example.com", { delivery: { status: "rejected" }, rejection: { reason: "suppressed", party: "recipient", detail: "Recipient is suppressed" } }),
    ]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "temporary-failure", "bob@example.com": "permanent-failure" });
    expect(await messageError(notifyId, "ann@example.com")).toMatchObject({ providerCode: "delivery_failed", retryable: true });
    expect(await messageError(notifyId, "bob@example.com")).toMatchObject({ providerCode: "rejected/suppressed", message: "Rejected by Cloudflare before delivery: Recipient is suppressed" });
  });

  it("message.complained suppresses the recipient per the tenant's suppressOn (complaint on by default), and only there", async () => {
    const { notifyId, messageId } = await sentEmail(["carol@example.com"]);
    await consume([event("delivered", messageId, "carol@example.com", DELIVERED), event("complained", messageId, "carol@example.com", { delivery: { status: "complained" }, complaint: { type: "abuse" } }, new Date(Date.now() + 1000))]);
    expect(await statusesOf(notifyId)).toEqual({ "carol@example.com": "delivered" });
    const suppressed = await env.DB.prepare("SELECT reason, source FROM suppressions WHERE tenant_id = ? AND recipient = ?").bind(tenant.id, "carol@example.com").first<{ reason: string; source: string }>();
    expect(suppressed).toMatchObject({ source: "provider" });
    expect(suppressed!.reason).toContain("complaint (cloudflare abuse)");

    const quiet = await createTestTenant("Cloudflare complaints kept", { status: "live" });
    expect((await asTenant(quiet, "PATCH", "/api/v1/tenant/defaults", { body: { suppressOn: { complaint: false } } })).status).toBe(200);
    const other = await sendWith(e, quiet, "/api/v1/notifysimple/email", { recipients: { to: ["dave@example.com"] }, content: { subject: "Hello", body: "Body" } });
    const otherId = await providerMessageIdOf(other.deliveryIds[0]!);
    await consume([event("complained", otherId, "dave@example.com", { complaint: { type: "abuse" } })]);
    const none = await env.DB.prepare("SELECT COUNT(*) AS n FROM suppressions WHERE tenant_id = ?").bind(quiet.id).first<{ n: number }>();
    expect(none!.n).toBe(0);
  });

  it("a repeated event, in one batch or the next, is applied once; an older event arriving late changes nothing", async () => {
    const { notifyId, messageId } = await sentEmail();
    const delivered = event("delivered", messageId, "ann@example.com", DELIVERED);
    const older = event("deferred", messageId, "ann@example.com", DEFERRED, new Date(Date.now() - 60_000));
    // The delivered first in the batch, the older deferral after it: the event times decide.
    await consume([delivered, older, delivered]);
    await consume([delivered, older]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    expect(await callbackStatuses(notifyId)).toEqual(["delivered"]);
  });

  it("an event for a message id never sent here is acknowledged, kept as an early receipt and moves nothing", async () => {
    const unknown = `0101018f7d0c4d9a-${crypto.randomUUID()}@cf.example`;
    await consume([event("delivered", `<${unknown}>`, "ann@example.com", DELIVERED)]);
    const kept = await env.DB.prepare("SELECT provider, recipient FROM early_receipts WHERE provider_message_id = ?").bind(unknown).first();
    expect(kept).toEqual({ provider: "cloudflare", recipient: "ann@example.com" });
  });

  it("malformed events, events of another source and unknown types are acknowledged and dropped without failing the batch's valid events", async () => {
    const { notifyId, messageId } = await sentEmail();
    await consume([
      "not an event",
      null,
      { type: "cf.email.sending.message.delivered" },
      { type: "cf.email.sending.message.delivered", payload: { messageId: 42, recipient: "ann@example.com" } },
      { ...event("delivered", messageId, "ann@example.com"), source: { type: "r2", bucketName: "x" } },
      event("opened", messageId, "ann@example.com"),
      // Detail fields of unexpected types are dropped, not the event.
      event("delivered", messageId, "ann@example.com", { delivery: "delivered", terminal: "yes" }),
    ]);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
  });

  it("an event that arrives while the send is still open (before its delivery is settled) is applied by the settle", async () => {
    binding.beforeAnswer = async (messageId) => {
      await consume([event("delivered", messageId, "ann@example.com", DELIVERED)]);
    };
    const { notifyId, messageId } = await sentEmail();
    expect(binding.beforeAnswer).toBeUndefined();
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    expect((await callbackStatuses(notifyId)).filter((s) => s === "delivered")).toHaveLength(1);
    const kept = await env.DB.prepare("SELECT COUNT(*) AS n FROM early_receipts WHERE provider_message_id = ?").bind(messageId).first<{ n: number }>();
    expect(kept!.n).toBe(0);
  });

  it("while cloudflare is not in RECEIPT_PROVIDERS its acceptance is delivered and its events are acknowledged without effect", async () => {
    const unwired = wiredFor("ses", { SEND_EMAIL: binding as unknown as SendEmail, EMAIL_PROVIDER: "cloudflare" });
    const { notifyId, deliveryIds } = await sendWith(unwired, tenant, "/api/v1/notifysimple/email", { recipients: { to: ["ann@example.com"] }, content: { subject: "Hello", body: "Body" } });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    await consume([event("bounced", await providerMessageIdOf(deliveryIds[0]!), "ann@example.com", HARD_BOUNCE)], unwired);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
  });
});
