import { describe, expect, it } from "vitest";
import { claimMailgunToken, mailgunReceipts, verifyMailgun } from "./mailgun";
import { hmacSha256Hex } from "./verification";

const KEY = "test-mailgun-signing-key";
const NOW = new Date(1_770_920_772_000);

// Shapes of the examples on Mailgun's "Webhook Payloads" page
// (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads) and its
// "Securing Webhooks" page (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks).
const eventData = (extra: Record<string, unknown>) => ({
  account: { id: "1234567890303a4bd1f33898" },
  domain: { name: "sample.mailgun.com" },
  envelope: { sender: "sender@sample.mailgun.com", targets: "recipient@sample.mailgun.com", transport: "smtp" },
  flags: { "is-authenticated": true, "is-test-mode": false },
  id: "CCXMjJ7nQi2N3BPigGOdgQ",
  "log-level": "info",
  message: { headers: { from: "Sample Sender <sender@sample.mailgun.com>", "message-id": "20260203192638.000be97f99f8cea1@sample.mailgun.com", subject: "Sample webhook payload", to: "recipient@sample.mailgun.com" }, size: 341 },
  recipient: "recipient@sample.mailgun.com",
  "recipient-domain": "sample.mailgun.com",
  timestamp: 1770920771.123,
  ...extra,
});
const DELIVERED = eventData({ event: "delivered", "delivery-status": { code: 250, message: "OK", description: "", "attempt-no": 1, "mx-host": "smtp-in.sample.mailgun.com", tls: true } });
const PERMANENT = eventData({ event: "failed", severity: "permanent", reason: "suppress-bounce", "delivery-status": { code: 605, message: "", description: "Not delivering to previously bounced address", "attempt-no": 1 } });
const TEMPORARY = eventData({ event: "failed", severity: "temporary", reason: "generic", "delivery-status": { code: 452, message: "4.2.2 The email account that you tried to reach is over quota.", "attempt-no": 1, "retry-seconds": 600 } });
const GAVE_UP = eventData({ event: "failed", severity: "temporary", reason: "old", "delivery-status": { code: 498, message: "No MX for sample.mailgun.com", "attempt-no": 8 } });
const COMPLAINED = eventData({ event: "complained" });

async function signed(data: object, timestamp = "1770920772", token = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123") {
  return { signature: { token, timestamp, signature: await hmacSha256Hex(KEY, timestamp + token) }, "event-data": data };
}

describe("verifyMailgun", () => {
  it("accepts the HMAC of timestamp + token under the signing key, or a parent-signature that matches", async () => {
    expect(await verifyMailgun(await signed(DELIVERED), KEY, NOW)).toEqual({ ok: true });
    const body = await signed(DELIVERED);
    const parent = { ...body, signature: { ...body.signature, signature: "00".repeat(32), "parent-signature": body.signature.signature } };
    expect(await verifyMailgun(parent, KEY, NOW)).toEqual({ ok: true });
  });

  it("refuses another key, an altered token, a stale timestamp, and a body without a signature", async () => {
    const body = await signed(DELIVERED);
    expect(await verifyMailgun(body, "another-key", NOW)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifyMailgun({ ...body, signature: { ...body.signature, token: "x".repeat(50) } }, KEY, NOW)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifyMailgun(body, KEY, new Date(NOW.getTime() + 600_000))).toMatchObject({ ok: false, kind: "refused", reason: expect.stringContaining("old") });
    expect(await verifyMailgun({ "event-data": DELIVERED }, KEY, NOW)).toMatchObject({ ok: false, kind: "missing" });
    expect(await verifyMailgun([], KEY, NOW)).toMatchObject({ ok: false, kind: "missing" });
  });

  it("takes a token once per window, and again once released", () => {
    const payload = { signature: { token: `t-${crypto.randomUUID()}` } };
    const first = claimMailgunToken(payload, NOW);
    expect(first.ok).toBe(true);
    expect(claimMailgunToken(payload, NOW)).toEqual({ ok: false, reason: "this signature token was already used" });
    if (first.ok) first.release();
    expect(claimMailgunToken(payload, NOW).ok).toBe(true);
  });
});

describe("mailgunReceipts", () => {
  it("maps delivered, failed (by severity) and complained to receipts keyed by <message-id>", () => {
    const one = (data: object) => mailgunReceipts({ "event-data": data }, NOW)[0]!;
    expect(one(DELIVERED)).toEqual({
      provider: "mailgun",
      providerMessageId: "<20260203192638.000be97f99f8cea1@sample.mailgun.com>",
      recipient: "recipient@sample.mailgun.com",
      at: new Date(1770920771123),
      status: "delivered",
      detail: "OK",
      providerCode: "250",
      eventId: "CCXMjJ7nQi2N3BPigGOdgQ",
    });
    expect(one(PERMANENT)).toMatchObject({ status: "permanent-failure", providerCode: "605", detail: "Failed: Not delivering to previously bounced address" });
    expect(one(TEMPORARY)).toMatchObject({ status: "sending", providerCode: "452" });
    expect(one(GAVE_UP)).toMatchObject({ status: "temporary-failure", providerCode: "498" });
    expect(one(COMPLAINED)).toMatchObject({ status: "delivered", complaint: true });
  });

  it("gives no receipt for engagement events and refuses a body without event-data", () => {
    expect(mailgunReceipts({ "event-data": eventData({ event: "opened" }) }, NOW)).toEqual([]);
    expect(() => mailgunReceipts({ signature: {} }, NOW)).toThrow("event-data");
  });
});
