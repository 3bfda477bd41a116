import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hmacSha256Hex } from "../../src/services/receipts/verification";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { expectProblem, MAILGUN_DOMAIN, mockSendGridAndMailgun, sendWith, statusesOf, wiredFor } from "./email-hooks";
import { callWith, providerMessageIdOf } from "./helpers";

const KEY = env.MAILGUN_WEBHOOK_SIGNING_KEY!;
const mocks = createProviderMocks();
let tenant: TestTenant;
let sent: ReturnType<typeof mockSendGridAndMailgun>;
// The suite's env has no Mailgun account: this deployment sends with one.
const e = wiredFor("mailgun", { MAILGUN_API_KEY: "test-mailgun-key", MAILGUN_DOMAIN, EMAIL_PROVIDER: "mailgun" });

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Mailgun receipts", { status: "live" });
});
beforeEach(() => {
  sent = mockSendGridAndMailgun(mocks.server);
});
afterEach(() => {
  mocks.reset();
  mocks.server.resetHandlers();
});
afterAll(() => mocks.server.close());

// A webhook post shaped as on Mailgun's "Webhook Payloads" page
// (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads), signed
// as "Securing Webhooks" describes: HMAC-SHA256(signing key, timestamp + token), a new token per post.
async function post(messageId: string, recipient: string, data: Record<string, unknown>, options: { key?: string; timestamp?: number; token?: string } = {}) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const token = options.token ?? crypto.randomUUID().replaceAll("-", "").padEnd(50, "0");
  const body = {
    signature: { token, timestamp, signature: await hmacSha256Hex(options.key ?? KEY, timestamp + token) },
    "event-data": {
      id: crypto.randomUUID(),
      timestamp: Date.now() / 1000,
      "log-level": "info",
      envelope: { sender: `noreply@${MAILGUN_DOMAIN}`, targets: recipient, transport: "smtp" },
      message: { headers: { from: `Notify <noreply@${MAILGUN_DOMAIN}>`, "message-id": messageId, subject: "Hello", to: recipient }, size: 341 },
      recipient,
      "recipient-domain": recipient.split("@")[1],
      ...data,
    },
  };
  const text = JSON.stringify(body);
  return { text, res: await callWith(e, "/hooks/mailgun", { method: "POST", headers: { "content-type": "application/json" }, body: text }) };
}
const again = (text: string) => callWith(e, "/hooks/mailgun", { method: "POST", headers: { "content-type": "application/json" }, body: text });

const DELIVERED = { event: "delivered", "delivery-status": { code: 250, message: "OK", description: "", "attempt-no": 1 } };
const PERMANENT = { event: "failed", severity: "permanent", reason: "bounce", "delivery-status": { code: 550, message: "5.1.1 The email account that you tried to reach does not exist.", description: "", "attempt-no": 1 } };

async function sentEmail(to = ["ann@example.com", "bob@example.com"]) {
  const { notifyId, deliveryIds } = await sendWith(e, tenant, "/api/v1/notifysimple/email", { recipients: { to }, content: { subject: "Hello", body: "Body" } });
  expect(sent.mailgun).toHaveLength(1);
  const stored = await providerMessageIdOf(deliveryIds[0]!);
  // What Mailgun's answer gave (with angle brackets); events name it without them.
  expect(stored).toMatch(/^<.+>$/);
  return { notifyId, messageId: stored.slice(1, -1) };
}

describe("POST /hooks/mailgun", () => {
  it("signed events move each recipient: delivered, and a permanent failure", async () => {
    const { notifyId, messageId } = await sentEmail();
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending", "bob@example.com": "sending" });
    const delivered = await post(messageId, "ann@example.com", DELIVERED);
    expect(delivered.res.status).toBe(200);
    expect(await json(delivered.res)).toEqual({ applied: 1, ignored: 0 });
    expect(await json((await post(messageId, "bob@example.com", PERMANENT)).res)).toEqual({ applied: 1, ignored: 0 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered", "bob@example.com": "permanent-failure" });
  });

  it("a temporary failure keeps the message sending while Mailgun retries, and the later delivery settles it", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"]);
    const temporary = { event: "failed", severity: "temporary", reason: "generic", "delivery-status": { code: 452, message: "4.2.2 Mailbox full", "attempt-no": 1, "retry-seconds": 600 } };
    expect(await json((await post(messageId, "ann@example.com", temporary)).res)).toEqual({ applied: 0, ignored: 1 });
    expect(await json((await post(messageId, "ann@example.com", DELIVERED)).res)).toEqual({ applied: 1, ignored: 0 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
  });

  it("refuses another key's signature, a stale timestamp, an unsigned body and a replayed post, changing nothing", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"]);
    await expectProblem((await post(messageId, "ann@example.com", DELIVERED, { key: "another-key" })).res, 403);
    await expectProblem((await post(messageId, "ann@example.com", DELIVERED, { timestamp: Math.floor(Date.now() / 1000) - 600 })).res, 403);
    await expectProblem(await callWith(e, "/hooks/mailgun", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ "event-data": { event: "delivered" } }) }), 401);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending" });

    const first = await post(messageId, "ann@example.com", PERMANENT);
    expect(first.res.status).toBe(200);
    await expectProblem(await again(first.text), 403);
  });

  it("the same event posted again (a retry, signed anew) is applied once; an unknown message is answered 200", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"]);
    expect(await json((await post(messageId, "ann@example.com", DELIVERED)).res)).toEqual({ applied: 1, ignored: 0 });
    expect(await json((await post(messageId, "ann@example.com", DELIVERED)).res)).toEqual({ applied: 0, ignored: 1 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    const unknown = await post(`nosuch@${MAILGUN_DOMAIN}`, "ann@example.com", DELIVERED);
    expect(unknown.res.status).toBe(200);
    expect(await json(unknown.res)).toEqual({ applied: 0, ignored: 1 });
  });
});
