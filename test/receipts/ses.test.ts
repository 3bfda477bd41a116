import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SnsMessage } from "../../src/services/receipts/sns";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { callWith, providerMessageIdOf, sendAndDeliver, SES_TOPIC_ARN, statusOf, wiredEnv } from "./helpers";
import { CERT_URL, notification, signSns, snsHandlers, SUBSCRIBE_URL_BASE } from "./sns-fixtures";

const mocks = createProviderMocks();
const confirmed: string[] = [];
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.use(...snsHandlers(confirmed));
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("SES receipts", { status: "live" });
});
// No reset between tests: the fake SES numbers its message ids by what it captured, and a receipt
// must name one email only.
afterAll(() => mocks.server.close());

function post(message: SnsMessage | string, e = wiredEnv()) {
  return callWith(e, "/hooks/ses", {
    method: "POST",
    headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": typeof message === "string" ? "Notification" : message.Type },
    body: typeof message === "string" ? message : JSON.stringify(message),
  });
}

/** SES's published event examples ("Examples of event data that Amazon SES publishes to Amazon SNS"), for our message id. */
const mail = (messageId: string, destination: string[]) => ({
  timestamp: "2026-11-20T00:40:02.012Z",
  source: "Sender Name <sender@example.com>",
  sourceArn: "arn:aws:ses:ca-central-1:123456789012:identity/sender@example.com",
  sendingAccountId: "123456789012",
  messageId,
  destination,
  headersTruncated: false,
  tags: { "ses:configuration-set": ["ConfigSet"] },
});
const delivery = (messageId: string, recipients: string[]) => ({
  eventType: "Delivery",
  mail: mail(messageId, recipients),
  delivery: { timestamp: "2026-11-20T00:41:04.133Z", processingTimeMillis: 11893, recipients, smtpResponse: "250 2.6.0 Message received", reportingMTA: "mta.example.com" },
});
const bounce = (messageId: string, recipient: string, bounceType = "Permanent") => ({
  eventType: "Bounce",
  bounce: {
    bounceType,
    bounceSubType: bounceType === "Permanent" ? "General" : "MailboxFull",
    bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }],
    timestamp: "2026-11-20T00:42:02.669Z",
    feedbackId: `01000157c44f053b-61b59c11-9236-11e6-8f96-${crypto.randomUUID().slice(0, 12)}-000000`,
    reportingMTA: "dsn; mta.example.com",
  },
  mail: mail(messageId, [recipient]),
});
const complaint = (messageId: string, recipient: string) => ({
  eventType: "Complaint",
  complaint: {
    complainedRecipients: [{ emailAddress: recipient }],
    timestamp: "2026-11-20T00:43:02.669Z",
    feedbackId: `01000157c44f053b-61b59c11-9236-11e6-8f96-${crypto.randomUUID().slice(0, 12)}-000000`,
    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    complaintFeedbackType: "abuse",
    arrivalDate: "2026-11-20T00:43:02.669Z",
  },
  mail: mail(messageId, [recipient]),
});

async function sentEmail(to: string[], who: TestTenant = tenant) {
  const { notifyId, deliveryIds } = await sendAndDeliver(who, "/api/v1/notifysimple/email", { recipients: { to }, content: { subject: "Hello", body: "Body" } });
  return { notifyId, messageId: await providerMessageIdOf(deliveryIds[0]!) };
}

const byRecipient = (status: any) => Object.fromEntries(status.messages.map((m: any) => [m.recipient, m]));

describe("Amazon SES delivery receipts through SNS", () => {
  it("wired: an accepted email stays sending; unwired: delivered", async () => {
    const { notifyId } = await sentEmail(["wired@example.com"]);
    expect(await statusOf(tenant, notifyId)).toMatchObject({ status: "sending", messages: [{ status: "sending" }] });
    const plain = await sendAndDeliver(tenant, "/api/v1/notifysimple/email", { recipients: { to: ["plain@example.com"] }, content: { subject: "Hi", body: "B" } }, env);
    expect(await statusOf(tenant, plain.notifyId)).toMatchObject({ status: "delivered", messages: [{ status: "delivered" }] });
  });

  it("a signed Delivery event (SignatureVersion 1 and 2) delivers; the same notification again changes nothing", async () => {
    const { notifyId, messageId } = await sentEmail(["ann@example.com"]);
    const signed = await signSns(notification(delivery(messageId, ["ann@example.com"])), "2");
    const res = await post(signed);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 1, ignored: 0 });
    const status = await statusOf(tenant, notifyId);
    expect(status).toMatchObject({ status: "delivered", messages: [{ status: "delivered", completedAt: "2026-11-20T00:41:04.133Z" }] });
    expect(await json(await post(signed))).toEqual({ applied: 0, ignored: 1 });

    const other = await sentEmail(["bob@example.com"]);
    expect(await json(await post(await signSns(notification(delivery(other.messageId, ["bob@example.com"])), "1")))).toEqual({ applied: 1, ignored: 0 });
  });

  it("several recipients of one email: each recipient's event moves its own message", async () => {
    const { notifyId, messageId } = await sentEmail(["one@example.com", "Two@Example.com"]);
    await post(await signSns(notification(delivery(messageId, ["one@example.com"]))));
    let m = byRecipient(await statusOf(tenant, notifyId));
    expect(m["one@example.com"].status).toBe("delivered");
    expect(m["Two@example.com"].status).toBe("sending");
    // Stored with its domain folded (Two@example.com); SES may report another case: the match ignores it.
    await post(await signSns(notification(bounce(messageId, "two@example.com"))));
    const status = await statusOf(tenant, notifyId);
    m = byRecipient(status);
    expect(m["Two@example.com"]).toMatchObject({ status: "permanent-failure", error: { code: "delivery_failed_permanently", provider: "ses", providerCode: "Permanent/General" } });
    expect(m["Two@example.com"].error.message).toMatch(/550 5\.1\.1 user unknown/);
    expect(status).toMatchObject({ status: "partially-failed", counts: { delivered: 1, "permanent-failure": 1 } });
  });

  it("a bounce after a delivery notice fails the email; a delivery after the bounce changes nothing; a soft bounce is temporary", async () => {
    const { notifyId, messageId } = await sentEmail(["late@example.com"]);
    await post(await signSns(notification(delivery(messageId, ["late@example.com"]))));
    expect(await json(await post(await signSns(notification(bounce(messageId, "late@example.com")))))).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(await signSns(notification(delivery(messageId, ["late@example.com"])))))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusOf(tenant, notifyId)).toMatchObject({ status: "failed", messages: [{ status: "permanent-failure" }] });

    const soft = await sentEmail(["full@example.com"]);
    await post(await signSns(notification(bounce(soft.messageId, "full@example.com", "Transient"))));
    expect((await statusOf(tenant, soft.notifyId)).messages[0]).toMatchObject({ status: "temporary-failure", error: { retryable: true, providerCode: "Transient/MailboxFull" } });
  });

  it("a complaint suppresses the address by default (source provider), not when the tenant turned suppressOn.complaint off", async () => {
    const { notifyId, messageId } = await sentEmail(["Angry@Example.com"]);
    expect(await json(await post(await signSns(notification(complaint(messageId, "angry@example.com")))))).toEqual({ applied: 1, ignored: 0 });
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("delivered");
    const list = await json(await asTenant(tenant, "GET", "/api/v1/suppressions?channel=email&recipient=angry@example.com"));
    expect(list.items).toMatchObject([{ recipient: "angry@example.com", source: "provider" }]);
    expect(list.items[0].reason).toMatch(/complaint/);
    // A later send to the address leaves it out.
    const again = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: ["angry@example.com"] }, content: { subject: "Hi", body: "B" } } });
    expect(again.status).toBe(422);

    const quiet = await createTestTenant("SES complaints kept", { status: "live" });
    expect((await asTenant(quiet, "PATCH", "/api/v1/tenant/defaults", { body: { suppressOn: { complaint: false } } })).status).toBe(200);
    const sent = await sentEmail(["kept@example.com"], quiet);
    await post(await signSns(notification(complaint(sent.messageId, "kept@example.com"))));
    expect((await json(await asTenant(quiet, "GET", "/api/v1/suppressions"))).items).toEqual([]);
  });

  it("refuses unsigned (401), tampered, wrong-topic, off-amazonaws.com, dev-key and stale messages (403), changing nothing", async () => {
    const { notifyId, messageId } = await sentEmail(["guard@example.com"]);
    const record = delivery(messageId, ["guard@example.com"]);
    const good = await signSns(notification(record));

    expect((await post({ ...good, Signature: "" })).status).toBe(401);
    const tampered = { ...good, Message: JSON.stringify({ ...record, eventType: "Bounce" }) };
    const refusals: [string, SnsMessage][] = [
      ["tampered", tampered],
      ["wrong topic", await signSns(notification(record, { TopicArn: "arn:aws:sns:ca-central-1:999999999999:someone-else" }))],
      ["cert off amazonaws.com", await signSns(notification(record, { SigningCertURL: "https://sns.ca-central-1.amazonaws.com.evil.test/cert.pem" }))],
      ["cert over http", await signSns(notification(record, { SigningCertURL: CERT_URL.replace("https:", "http:") }))],
      ["dev key without DEV_SINK", await signSns(notification(record, { SigningCertURL: "https://notify.test/dev/sink/sns/signing-cert.pem" }))],
      ["stale", await signSns(notification(record, { Timestamp: new Date(Date.now() - 2 * 3_600_000).toISOString() }))],
      ["unknown version", { ...good, SignatureVersion: "3" }],
    ];
    for (const [why, message] of refusals) {
      const res = await post(message);
      expect(res.status, why).toBe(403);
      expect(res.headers.get("content-type"), why).toMatch(/application\/problem\+json/);
    }
    expect((await post("not json")).status).toBe(400);
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("sending");
  });

  it("events for unknown messages, and non-SES messages on the topic, are answered 200 and ignored", async () => {
    expect(await json(await post(await signSns(notification(delivery("0100019unknown-000000", ["x@example.com"])))))).toEqual({ applied: 0, ignored: 1 });
    expect(await json(await post(await signSns(notification("just a test message"))))).toEqual({ applied: 0, ignored: 1 });
  });

  it("confirms a subscription by fetching its SubscribeURL, only on SNS's own hosts", async () => {
    const subscribe = `${SUBSCRIBE_URL_BASE}?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(SES_TOPIC_ARN)}&Token=2336412f37fb687f5d51e6e241d09c80`;
    const base = { Type: "SubscriptionConfirmation" as const, MessageId: crypto.randomUUID(), Token: "2336412f37fb687f5d51e6e241d09c80", TopicArn: SES_TOPIC_ARN, Message: `You have chosen to subscribe to the topic ${SES_TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`, Timestamp: new Date().toISOString(), SignatureVersion: "1", SigningCertURL: CERT_URL };
    const res = await post(await signSns({ ...base, SubscribeURL: subscribe }));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ confirmed: true });
    expect(confirmed).toEqual([subscribe]);
    const elsewhere = await post(await signSns({ ...base, SubscribeURL: "https://attacker.example/confirm" }));
    expect(elsewhere.status).toBe(403);
    expect(confirmed).toHaveLength(1);
  });

  it("answers 404 where SES receipts are not wired, 503 without SES_SNS_TOPIC_ARNS", async () => {
    const signed = await signSns(notification(delivery("x", ["x@example.com"])));
    expect((await post(signed, wiredEnv({ RECEIPT_PROVIDERS: "twilio" }))).status).toBe(404);
    expect((await post(signed, wiredEnv({ SES_SNS_TOPIC_ARNS: "" }))).status).toBe(503);
  });
});
