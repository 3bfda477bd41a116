import { fromBase64Url } from "../../lib/crypto/encoding";
import { sha256Hex } from "../../lib/crypto/hash";
import type { Receipt } from "./apply";
import { detailOf, eventTime, MalformedReceipts, objectOf, phoneRecipient, textOf } from "./normalise";
import { checkFreshness, missing, refused, sameHex, type SignedRequest, type Verification, VERIFIED } from "./verification";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The adapter sends through the Messages API (channels/sms/vonage.ts), whose status webhooks are
 * signed with a JWT in `Authorization: Bearer …`: HS256 under the account's signature secret,
 * with `iat` (checked against `now` with the usual tolerance) and `payload_hash`, the SHA-256
 * (hex) of the body, so the token vouches for this body and no other. The SMS API's `sig`
 * parameter scheme does not apply: that API is not the one we send with.
 *
 * @example
 * ```ts
 * await verifyVonage({ headers, body }, env.VONAGE_SIGNATURE_SECRET, new Date()) // { ok: true }
 * ```
 */
export async function verifyVonage(request: SignedRequest, signatureSecret: string, now: Date): Promise<Verification> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!token) return missing("a signed JWT is required in Authorization: Bearer");
  const parts = token.split(".");
  if (parts.length !== 3) return refused("the bearer token is not a JWT");
  let header: Record<string, unknown> | undefined;
  let claims: Record<string, unknown> | undefined;
  let signature: Uint8Array;
  try {
    header = objectOf(JSON.parse(decoder.decode(fromBase64Url(parts[0]!))));
    claims = objectOf(JSON.parse(decoder.decode(fromBase64Url(parts[1]!))));
    signature = fromBase64Url(parts[2]!);
  } catch {
    return refused("the JWT cannot be decoded");
  }
  // Only HS256: the algorithm must not be the token's choice ("none", or a public-key one).
  if (header?.alg !== "HS256" || !claims) return refused(`the JWT must be HS256 (got ${String(header?.alg ?? "none")})`);
  const key = await crypto.subtle.importKey("raw", encoder.encode(signatureSecret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  if (!(await crypto.subtle.verify("HMAC", key, signature, encoder.encode(`${parts[0]}.${parts[1]}`)))) {
    return refused("the JWT signature does not match the signature secret");
  }
  if (typeof claims.iat !== "number") return refused("the JWT has no iat");
  const fresh = checkFreshness(claims.iat, now);
  if (!fresh.ok) return fresh;
  if (typeof claims.payload_hash !== "string") return refused("the JWT has no payload_hash");
  if (!sameHex(claims.payload_hash, await sha256Hex(request.body))) return refused("payload_hash does not match the body");
  return VERIFIED;
}

/**
 * Messages API statuses for SMS and what they say about the message:
 *
 * | status | receipt |
 * |---|---|
 * | submitted | sending (handed to the carrier) |
 * | delivered | delivered (the carrier's delivery receipt) |
 * | rejected | permanent-failure (Vonage or the carrier refused it; `error` says why) |
 * | undeliverable | temporary-failure (Vonage could not reach the carrier; sending later may work) |
 *
 * `read` and other channels' statuses are not receipts for SMS.
 */
const STATUS: Record<string, Receipt["status"]> = {
  submitted: "sending",
  delivered: "delivered",
  rejected: "permanent-failure",
  undeliverable: "temporary-failure",
};

/**
 * The receipt of one Messages API status webhook: the message is `message_uuid` (what the
 * adapter stored), the recipient `to` in E.164 (Vonage omits the "+"), the code the `error`
 * object's number (its `title`, or the `#…` end of its `type`).
 *
 * @example
 * ```ts
 * vonageReceipts({ message_uuid: "aaaaaaaa-…", to: "447700900000", timestamp: "2023-05-01T14:00:00.000Z", status: "delivered", channel: "sms" }, now)
 * // [{ provider: "vonage", providerMessageId: "aaaaaaaa-…", recipient: "+447700900000", status: "delivered", … }]
 * ```
 */
export function vonageReceipts(payload: unknown, now: Date): Receipt[] {
  const event = objectOf(payload);
  const uuid = textOf(event?.message_uuid);
  const kind = textOf(event?.status);
  if (!event || !uuid || !kind) throw new MalformedReceipts("Vonage posts a message status {message_uuid, status, …}");
  const status = Object.hasOwn(STATUS, kind) ? STATUS[kind]! : undefined;
  if (!status) return [];
  const error = objectOf(event.error);
  const type = textOf(error?.type);
  const code = error?.title !== undefined && error.title !== null && /^\d+$/.test(String(error.title)) ? String(error.title) : type?.includes("#") ? type.slice(type.lastIndexOf("#") + 1) : undefined;
  const to = textOf(event.to);
  const at = eventTime(event.timestamp, now);
  return [
    {
      provider: "vonage",
      providerMessageId: uuid.trim(),
      ...(to ? { recipient: phoneRecipient(to) } : {}),
      at,
      status,
      detail: detailOf(error?.detail, error?.title) ?? DETAIL[status],
      ...(code ? { providerCode: code } : {}),
      eventId: `${uuid}/${kind}/${at.getTime()}`,
    },
  ];
}

const DETAIL: Record<Receipt["status"], string> = {
  sending: "Submitted to the carrier",
  delivered: "Delivered to the handset",
  "permanent-failure": "Rejected",
  "temporary-failure": "Vonage could not reach the carrier",
};
