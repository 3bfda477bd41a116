import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { resendReceipts, verifyResend } from "./resend";

const bytes = (text: string) => new TextEncoder().encode(text);
const svix = (id: string, timestamp: string, signature: string) => new Headers({ "svix-id": id, "svix-timestamp": timestamp, "svix-signature": signature });

// Svix's published verification example (docs.svix.com/receiving/verifying-payloads/how-manual),
// also the Standard Webhooks test vector: Resend signs exactly this way.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = "1614265330";
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const AT = new Date(Number(TIMESTAMP) * 1000);

describe("verifyResend", () => {
  it("accepts Svix's published example, also among several signatures", () => {
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, SIGNATURE), body: bytes(BODY) }, SECRET, AT)).toEqual({ ok: true });
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, `v1,bm9wZQ== ${SIGNATURE}`), body: bytes(BODY) }, SECRET, AT)).toEqual({ ok: true });
  });

  it("refuses another body, id or secret, a stale timestamp, and says what is missing", () => {
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, SIGNATURE), body: bytes('{"test": 1}') }, SECRET, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(verifyResend({ headers: svix("msg_other", TIMESTAMP, SIGNATURE), body: bytes(BODY) }, SECRET, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, SIGNATURE), body: bytes(BODY) }, "whsec_c2VjcmV0LXR3bw==", AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, SIGNATURE), body: bytes(BODY) }, SECRET, new Date(AT.getTime() + 301_000))).toMatchObject({ ok: false, kind: "refused", reason: expect.stringContaining("old") });
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, "v2,abc"), body: bytes(BODY) }, SECRET, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(verifyResend({ headers: new Headers({ "svix-id": ID }), body: bytes(BODY) }, SECRET, AT)).toMatchObject({ ok: false, kind: "missing" });
    expect(verifyResend({ headers: svix(ID, TIMESTAMP, SIGNATURE), body: bytes(BODY) }, "", AT)).toMatchObject({ ok: false, kind: "misconfigured" });
  });

  it("accepts a body signed now with the library", () => {
    const now = new Date();
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const signature = new Webhook(SECRET).sign("msg_1", new Date(Number(timestamp) * 1000), BODY);
    expect(verifyResend({ headers: svix("msg_1", timestamp, signature), body: bytes(BODY) }, SECRET, now)).toEqual({ ok: true });
  });
});

// Resend's example payloads (https://resend.com/docs/dashboard/webhooks/event-types, and
// https://resend.com/docs/webhooks/emails/bounced for the bounce object).
const event = (type: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: "2024-11-22T23:41:12.126Z",
  data: {
    broadcast_id: "8b146471-e88e-4322-86af-016cd36fd216",
    created_at: "2024-11-22T23:41:11.894719+00:00",
    email_id: "56761188-7520-42d8-8898-ff6fc54ce618",
    from: "Acme <onboarding@resend.dev>",
    to: ["delivered@resend.dev"],
    subject: "Sending this example",
    tags: { category: "confirm_email" },
    ...extra,
  },
});

describe("resendReceipts", () => {
  it("maps the email events to receipts keyed by email_id, one per recipient", () => {
    const now = new Date();
    expect(resendReceipts(event("email.delivered"), now, "msg_1")).toEqual([
      { provider: "resend", providerMessageId: "56761188-7520-42d8-8898-ff6fc54ce618", recipient: "delivered@resend.dev", at: new Date("2024-11-22T23:41:12.126Z"), status: "delivered", detail: "Accepted by the receiving server", eventId: "msg_1/delivered@resend.dev" },
    ]);
    const bounce = { message: "The recipient's email address is on the suppression list because it has a recent history of producing hard bounces.", subType: "Suppressed", type: "Permanent" };
    expect(resendReceipts(event("email.bounced", { bounce }), now)[0]).toMatchObject({ status: "permanent-failure", providerCode: "Permanent/Suppressed", detail: bounce.message });
    expect(resendReceipts(event("email.bounced", { bounce: { ...bounce, type: "Transient", subType: "MailboxFull" } }), now)[0]).toMatchObject({ status: "temporary-failure" });
    expect(resendReceipts(event("email.complained"), now)[0]).toMatchObject({ status: "delivered", complaint: true });
    expect(resendReceipts(event("email.delivery_delayed"), now)[0]).toMatchObject({ status: "sending" });
    expect(resendReceipts(event("email.sent"), now)[0]).toMatchObject({ status: "sending" });
    expect(resendReceipts(event("email.failed", { failed: { reason: "reached_daily_quota" } }), now)[0]).toMatchObject({ status: "permanent-failure", detail: expect.stringContaining("reached_daily_quota") });
    expect(resendReceipts(event("email.delivered", { to: ["a@example.com", "b@example.com"] }), now, "msg_2").map((r) => r.eventId)).toEqual(["msg_2/a@example.com", "msg_2/b@example.com"]);
  });

  it("gives no receipt for opens and clicks, and refuses a body that is not an event", () => {
    expect(resendReceipts(event("email.opened"), new Date())).toEqual([]);
    expect(() => resendReceipts({ type: "email.delivered" }, new Date())).toThrow("Resend posts");
  });
});
