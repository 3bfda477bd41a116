import { describe, expect, it } from "vitest";
import { derToP1363, sendGridReceipts, verifySendGrid } from "./sendgrid";

// The published test vector of SendGrid's own verifier (sendgrid-nodejs,
// packages/eventwebhook/src/eventwebhook.spec.js), a request signed by SendGrid's documented scheme.
const PUBLIC_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
const SIGNATURE = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
const TIMESTAMP = "1588788367";
const PAYLOAD = JSON.stringify({ category: "example_payload", event: "test_event", message_id: "message_id" });
const AT = new Date(Number(TIMESTAMP) * 1000);

const request = (body = PAYLOAD, signature = SIGNATURE, timestamp = TIMESTAMP) => ({
  headers: new Headers({ "X-Twilio-Email-Event-Webhook-Signature": signature, "X-Twilio-Email-Event-Webhook-Timestamp": timestamp }),
  body: new TextEncoder().encode(body),
});

describe("verifySendGrid", () => {
  it("accepts SendGrid's published signature vector", async () => {
    expect(await verifySendGrid(request(), PUBLIC_KEY, AT)).toEqual({ ok: true });
    // PEM armour around the same key is tolerated.
    expect(await verifySendGrid(request(), `-----BEGIN PUBLIC KEY-----\n${PUBLIC_KEY}\n-----END PUBLIC KEY-----`, AT)).toEqual({ ok: true });
  });

  it("refuses another key, another body, another signature and a stale or future timestamp", async () => {
    const otherKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    expect(await verifySendGrid(request(), otherKey, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifySendGrid(request("payload"), PUBLIC_KEY, AT)).toMatchObject({ ok: false, kind: "refused" });
    const badSig = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";
    expect(await verifySendGrid(request(PAYLOAD, badSig), PUBLIC_KEY, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifySendGrid(request(PAYLOAD, "not base64!"), PUBLIC_KEY, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifySendGrid(request(PAYLOAD, SIGNATURE, "timestamp"), PUBLIC_KEY, AT)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifySendGrid(request(), PUBLIC_KEY, new Date(AT.getTime() + 301_000))).toEqual({ ok: false, kind: "refused", reason: "timestamp is 301 s old (tolerance 300 s)" });
    expect(await verifySendGrid(request(), PUBLIC_KEY, new Date(AT.getTime() - 301_000))).toMatchObject({ ok: false, kind: "refused", reason: expect.stringContaining("future") });
  });

  it("says what is missing, and when our own key is unusable", async () => {
    expect(await verifySendGrid({ headers: new Headers(), body: new Uint8Array() }, PUBLIC_KEY, AT)).toMatchObject({ ok: false, kind: "missing" });
    expect(await verifySendGrid(request(), "not a key", AT)).toMatchObject({ ok: false, kind: "misconfigured" });
  });

  it("reads DER signatures with short and padded integers", () => {
    const der = Uint8Array.from([0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0x80]);
    const raw = derToP1363(der)!;
    expect(raw[31]).toBe(5);
    expect(raw[63]).toBe(0x80);
    expect(derToP1363(Uint8Array.from([0x30, 0x01, 0x02]))).toBeNull();
  });
});

// Example events of SendGrid's Event Webhook reference
// (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event), with a real-shaped
// sg_message_id: the X-Message-Id, then the sending server's suffix.
const SG_ID = "14c5d75ce93.dfd.64b469";
const base = { email: "example@test.com", timestamp: 1513299569, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>", category: "cat facts", sg_message_id: `${SG_ID}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0` };
const EVENTS = [
  { ...base, event: "processed", sg_event_id: "sg_event_id_processed" },
  { ...base, event: "deferred", ip: "168.1.1.1", sg_event_id: "sg_event_id_deferred", response: "400 try again later", attempt: "5" },
  { ...base, event: "delivered", ip: "168.1.1.1", sg_event_id: "sg_event_id_delivered", response: "250 OK" },
  { ...base, event: "open", sg_event_id: "sg_event_id_open", useragent: "Mozilla/4.0", ip: "255.255.255.255" },
  { ...base, event: "bounce", ip: "168.1.1.1", sg_event_id: "sg_event_id_bounce", reason: "500 unknown recipient", status: "5.0.0", type: "bounce", bounce_classification: "Invalid Address" },
  { ...base, event: "bounce", sg_event_id: "sg_event_id_blocked", reason: "unable to get mx info", type: "blocked", bounce_classification: "Unclassified" },
  { ...base, event: "dropped", sg_event_id: "sg_event_id_dropped", reason: "Bounced Address", status: "5.0.0" },
  { ...base, event: "spamreport", sg_event_id: "sg_event_id_spamreport" },
  { email: "example@test.com", timestamp: 1513299569, event: "bounce", sg_event_id: "async", reason: "late bounce", type: "bounce" },
];

describe("sendGridReceipts", () => {
  it("maps the documented events to receipts keyed by the X-Message-Id", () => {
    const receipts = sendGridReceipts(EVENTS, new Date());
    expect(receipts.map((r) => [r.eventId, r.status, r.complaint ?? false])).toEqual([
      ["sg_event_id_processed", "sending", false],
      ["sg_event_id_deferred", "sending", false],
      ["sg_event_id_delivered", "delivered", false],
      ["sg_event_id_bounce", "permanent-failure", false],
      ["sg_event_id_blocked", "temporary-failure", false],
      ["sg_event_id_dropped", "permanent-failure", false],
      ["sg_event_id_spamreport", "delivered", true],
    ]);
    expect(receipts[3]).toEqual({
      provider: "sendgrid",
      providerMessageId: SG_ID.split(".")[0],
      recipient: "example@test.com",
      at: new Date(1513299569_000),
      status: "permanent-failure",
      detail: "500 unknown recipient",
      providerCode: "5.0.0",
      eventId: "sg_event_id_bounce",
    });
    expect(receipts[1]!.detail).toContain("400 try again later");
  });

  it("refuses a body that is not an array of events, and skips entries that are not events", () => {
    expect(() => sendGridReceipts({ event: "delivered" }, new Date())).toThrow("JSON array");
    expect(sendGridReceipts([null, 1, "x", { event: "delivered" }], new Date())).toEqual([]);
  });
});
