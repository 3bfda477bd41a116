import type { Receipt } from "./apply";
import { detailOf, emailRecipient, eventTime, MalformedReceipts, objectOf, textOf } from "./normalise";
import { checkFreshness, missing, misconfigured, refused, type SignedRequest, type Verification, VERIFIED } from "./verification";
import { fromBase64 } from "../../lib/crypto/encoding";

export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

const encoder = new TextEncoder();

/**
 * An ASN.1 DER ECDSA signature (SEQUENCE of INTEGER r, INTEGER s: what SendGrid sends) as the
 * fixed-width r‖s that Web Crypto verifies; null when it is not one.
 *
 * @example
 * ```ts
 * derToP1363(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07])) // 64 bytes: r = 5 at [31], s = 7 at [63]
 * derToP1363(Uint8Array.from([0x30, 0x01, 0x02]))                              // null
 * ```
 */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array | null {
  let at = 0;
  const byte = () => (at < der.length ? der[at++]! : -1);
  const length = () => {
    const first = byte();
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count < 1 || count > 2) return -1;
    let n = 0;
    for (let i = 0; i < count; i++) n = (n << 8) | byte();
    return n;
  };
  if (byte() !== 0x30 || length() !== der.length - at) return null;
  const out = new Uint8Array(size * 2);
  for (const offset of [0, size]) {
    if (byte() !== 0x02) return null;
    const n = length();
    if (n < 1 || at + n > der.length) return null;
    let int = der.subarray(at, at + n);
    at += n;
    while (int.length > size && int[0] === 0) int = int.subarray(1);
    if (int.length > size) return null;
    out.set(int, offset + size - int.length);
  }
  return at === der.length ? out : null;
}

/**
 * SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64 DER) of the
 * `X-Twilio-Email-Event-Webhook-Timestamp` value followed by the raw body, checked with the
 * verification key from SendGrid's Mail Settings (base64 DER SubjectPublicKeyInfo, PEM armour
 * tolerated). The timestamp must be within TIMESTAMP_TOLERANCE_SECONDS of `now`.
 *
 * @example
 * ```ts
 * await verifySendGrid({ headers, body }, env.SENDGRID_WEBHOOK_PUBLIC_KEY, new Date()) // { ok: true }
 * ```
 */
export async function verifySendGrid(request: SignedRequest, publicKey: string, now: Date): Promise<Verification> {
  const signature = request.headers.get(SIGNATURE_HEADER);
  const timestamp = request.headers.get(TIMESTAMP_HEADER);
  if (!signature || !timestamp) return missing(`the ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} header fields are required`);
  const spki = fromBase64(publicKey.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, ""));
  let key: CryptoKey;
  try {
    if (!spki) throw new Error("not base64");
    key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    return misconfigured("SENDGRID_WEBHOOK_PUBLIC_KEY is not a base64 P-256 public key");
  }
  const fresh = checkFreshness(timestamp, now);
  if (!fresh.ok) return fresh;
  const der = fromBase64(signature);
  const raw = der && derToP1363(der);
  if (!raw) return refused("the signature is not a base64 DER ECDSA signature");
  const signed = new Uint8Array([...encoder.encode(timestamp), ...request.body]);
  const valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, signed);
  return valid ? VERIFIED : refused("the signature does not match the timestamp and body");
}

/**
 * SendGrid's id for a message is the `X-Message-Id` its Mail Send call answered (what the adapter
 * stores); events carry it as the first part of `sg_message_id`, followed by the sending
 * server's suffix (`<x-message-id>.filterdrecv-…` / `.recvd-…`).
 *
 * @example
 * ```ts
 * sendGridMessageId("euo2iKxdSayPF4YE4--I7A.recvd-5f54b5d587-pczjm-1-67BADEEA-6.0") // "euo2iKxdSayPF4YE4--I7A"
 * ```
 */
export const sendGridMessageId = (sgMessageId: string) => sgMessageId.split(".")[0]!;

/**
 * Receipts of an Event Webhook post (a JSON array of events, delivery and engagement mixed):
 *
 * | event | status |
 * |---|---|
 * | processed | sending |
 * | deferred | sending (SendGrid retries) |
 * | delivered | delivered |
 * | bounce, type `bounce` | permanent-failure |
 * | bounce, type `blocked` | temporary-failure (the receiving server refused it for now) |
 * | dropped | permanent-failure (SendGrid will not send it) |
 * | spamreport | delivered, complaint |
 *
 * Engagement events (open, click, unsubscribe, group_*) and events without `sg_message_id` (an
 * asynchronous bounce, which SendGrid cannot tie to its message) give no receipt.
 *
 * @example
 * ```ts
 * sendGridReceipts([{ event: "delivered", email: "ann@example.com", timestamp: 1513299569, sg_message_id: "14c5d75ce93.filterdrecv-1", sg_event_id: "e1", response: "250 OK" }], now)
 * // [{ provider: "sendgrid", providerMessageId: "14c5d75ce93", recipient: "ann@example.com", status: "delivered", … }]
 * ```
 */
export function sendGridReceipts(payload: unknown, now: Date): Receipt[] {
  if (!Array.isArray(payload)) throw new MalformedReceipts("SendGrid posts a JSON array of events");
  const receipts: Receipt[] = [];
  for (const item of payload) {
    const event = objectOf(item);
    const id = textOf(event?.sg_message_id);
    const kind = textOf(event?.event);
    if (!event || !id || !kind) continue;
    const mapped = statusOf(kind, event);
    if (!mapped) continue;
    const email = textOf(event.email);
    receipts.push({
      provider: "sendgrid",
      providerMessageId: sendGridMessageId(id),
      ...(email ? { recipient: emailRecipient(email) } : {}),
      at: eventTime(event.timestamp, now),
      ...mapped,
      ...(textOf(event.sg_event_id) ? { eventId: event.sg_event_id as string } : {}),
    });
  }
  return receipts;
}

function statusOf(kind: string, event: Record<string, unknown>): Pick<Receipt, "status" | "detail" | "providerCode" | "complaint"> | undefined {
  const code = detailOf(event.status);
  switch (kind) {
    case "processed":
      return { status: "sending", detail: "Accepted by SendGrid" };
    case "deferred":
      return { status: "sending", detail: `Deferred by the receiving server, SendGrid retries: ${detailOf(event.response, event.reason) ?? "no reason given"}` };
    case "delivered":
      return { status: "delivered", detail: detailOf(event.response) ?? "Accepted by the receiving server" };
    case "bounce": {
      const blocked = event.type === "blocked";
      return {
        status: blocked ? "temporary-failure" : "permanent-failure",
        detail: detailOf(event.reason) ?? (blocked ? "Blocked by the receiving server" : "Bounced"),
        ...(code || blocked ? { providerCode: code ?? "blocked" } : {}),
      };
    }
    case "dropped":
      return { status: "permanent-failure", detail: `Dropped by SendGrid: ${detailOf(event.reason) ?? "no reason given"}`, ...(code ? { providerCode: code } : {}) };
    case "spamreport":
      return { status: "delivered", detail: "The recipient reported the email as spam", complaint: true };
    default:
      return undefined;
  }
}
