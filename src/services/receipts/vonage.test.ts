import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../lib/crypto/hash";
import { verifyVonage, vonageReceipts } from "./vonage";

const SECRET = "test-vonage-signature-secret";
const NOW = new Date(1_700_000_000_000);

// Vonage's SMS status callback example (https://developer.vonage.com/en/messages/concepts/messages-status-callbacks).
const SUBMITTED = { message_uuid: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", to: "447700900000", from: "447700900001", timestamp: "2023-05-01T14:00:00.000Z", status: "submitted", usage: { currency: "EUR", price: "0.0333" }, channel: "sms", sms: { count_total: "2" } };
const DELIVERED = { ...SUBMITTED, timestamp: "2023-05-01T14:00:05.000Z", status: "delivered", destination: { network_code: "23410" } };
const REJECTED = { ...SUBMITTED, status: "rejected", error: { type: "https://developer.vonage.com/api-errors/messages#1250", title: 1250, detail: "The message was rejected by the carrier", instance: "bf0ca0bf927b3b52e3cb03217e1a1ddf" } };

/** A status webhook as Vonage signs it: HS256 JWT with iat and the body's SHA-256 in payload_hash. */
async function signed(body: string, claims: Record<string, unknown> = {}, secret = SECRET, iat = Math.floor(NOW.getTime() / 1000)) {
  const token = await new SignJWT({ iat, jti: crypto.randomUUID(), iss: "Vonage", payload_hash: await sha256Hex(body), api_key: "test-vonage-key", ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
  return { headers: new Headers({ authorization: `Bearer ${token}` }), body: new TextEncoder().encode(body) };
}

describe("verifyVonage", () => {
  it("accepts an HS256 JWT under the signature secret whose payload_hash is the body's", async () => {
    const body = JSON.stringify(DELIVERED);
    expect(await verifyVonage(await signed(body), SECRET, NOW)).toEqual({ ok: true });
  });

  it("refuses another secret, another body, a stale iat, a token without payload_hash, and alg none", async () => {
    const body = JSON.stringify(DELIVERED);
    expect(await verifyVonage(await signed(body, {}, "another-secret"), SECRET, NOW)).toMatchObject({ ok: false, kind: "refused" });
    const other = await signed(body);
    expect(await verifyVonage({ ...other, body: new TextEncoder().encode(JSON.stringify(REJECTED)) }, SECRET, NOW)).toMatchObject({ ok: false, kind: "refused", reason: expect.stringContaining("payload_hash") });
    expect(await verifyVonage(await signed(body, {}, SECRET, Math.floor(NOW.getTime() / 1000) - 3600), SECRET, NOW)).toMatchObject({ ok: false, kind: "refused", reason: expect.stringContaining("old") });
    expect(await verifyVonage(await signed(body, { payload_hash: undefined }), SECRET, NOW)).toMatchObject({ ok: false, kind: "refused" });
    const [, payload] = (await signed(body)).headers.get("authorization")!.slice(7).split(".");
    const none = `${btoa('{"alg":"none"}').replace(/=+$/, "")}.${payload}.`;
    expect(await verifyVonage({ headers: new Headers({ authorization: `Bearer ${none}` }), body: new TextEncoder().encode(body) }, SECRET, NOW)).toMatchObject({ ok: false, kind: "refused" });
    expect(await verifyVonage({ headers: new Headers(), body: new TextEncoder().encode(body) }, SECRET, NOW)).toMatchObject({ ok: false, kind: "missing" });
  });
});

describe("vonageReceipts", () => {
  it("maps submitted, delivered, rejected and undeliverable to receipts keyed by message_uuid", () => {
    expect(vonageReceipts(DELIVERED, NOW)).toEqual([
      { provider: "vonage", providerMessageId: SUBMITTED.message_uuid, recipient: "+447700900000", at: new Date("2023-05-01T14:00:05.000Z"), status: "delivered", detail: "Delivered to the handset", eventId: `${SUBMITTED.message_uuid}/delivered/${Date.parse("2023-05-01T14:00:05.000Z")}` },
    ]);
    expect(vonageReceipts(SUBMITTED, NOW)[0]).toMatchObject({ status: "sending" });
    expect(vonageReceipts(REJECTED, NOW)[0]).toMatchObject({ status: "permanent-failure", providerCode: "1250", detail: "The message was rejected by the carrier" });
    expect(vonageReceipts({ ...SUBMITTED, status: "undeliverable", error: { type: "https://developer.vonage.com/api-errors/messages#1300" } }, NOW)[0]).toMatchObject({ status: "temporary-failure", providerCode: "1300" });
    expect(vonageReceipts({ ...SUBMITTED, status: "read" }, NOW)).toEqual([]);
  });

  it("refuses a body that is not a message status", () => {
    expect(() => vonageReceipts({ status: "delivered" }, NOW)).toThrow("message_uuid");
  });
});
