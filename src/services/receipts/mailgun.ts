import type { Receipt } from "./apply";
import { detailOf, emailRecipient, eventTime, MalformedReceipts, objectOf, textOf } from "./normalise";
import { ReplayGuard } from "./replay-guard";
import { checkFreshness, hmacSha256Hex, missing, refused, sameHex, TIMESTAMP_TOLERANCE_SECONDS, type Verification, VERIFIED } from "./verification";

/** The `signature` object of a Mailgun webhook body. */
function signatureOf(payload: unknown): { timestamp: string; token: string; signatures: string[] } | undefined {
  const signature = objectOf(objectOf(payload)?.signature);
  const timestamp = signature?.timestamp;
  const token = textOf(signature?.token);
  const signed = [signature?.signature, signature?.["parent-signature"]].filter((s): s is string => typeof s === "string");
  if ((typeof timestamp !== "string" && typeof timestamp !== "number") || !token || signed.length === 0) return undefined;
  return { timestamp: String(timestamp), token, signatures: signed };
}

/**
 * Mailgun signs each webhook inside its body: `signature.signature` is the hex HMAC-SHA256 of
 * `signature.timestamp` + `signature.token` under the HTTP webhook signing key. For a subaccount's
 * domain Mailgun adds `parent-signature`, made with the primary account's key: either may match
 * the configured key. The timestamp must be within TIMESTAMP_TOLERANCE_SECONDS of `now`.
 *
 * @example
 * ```ts
 * await verifyMailgun(JSON.parse(body), env.MAILGUN_WEBHOOK_SIGNING_KEY, new Date()) // { ok: true }
 * ```
 */
export async function verifyMailgun(payload: unknown, signingKey: string, now: Date): Promise<Verification> {
  const signature = signatureOf(payload);
  if (!signature) return missing("the body has no signature {timestamp, token, signature}");
  const fresh = checkFreshness(signature.timestamp, now);
  if (!fresh.ok) return fresh;
  const expected = await hmacSha256Hex(signingKey, signature.timestamp + signature.token);
  // Both compared whatever the first gives, so the time taken does not say which one matched.
  const matches = signature.signatures.map((s) => sameHex(s, expected));
  return matches.includes(true) ? VERIFIED : refused("the signature does not match the timestamp and token");
}

/**
 * Tokens of posts already taken by this isolate, for the tolerance window: a captured post
 * replayed within it is refused (see ReplayGuard for what this does not catch).
 */
const seenTokens = new ReplayGuard(TIMESTAMP_TOLERANCE_SECONDS * 2, 10_000);

/**
 * Takes a verified post's token, once per window (the route refuses a second post with it);
 * `release` gives it back when the post then fails, so Mailgun's retry is taken.
 *
 * @example
 * ```ts
 * claimMailgunToken(payload, now) // { ok: true, release }
 * claimMailgunToken(payload, now) // { ok: false, reason: "this signature token was already used" }
 * ```
 */
export function claimMailgunToken(payload: unknown, now: Date): { ok: true; release(): void } | { ok: false; reason: string } {
  const token = signatureOf(payload)?.token ?? "";
  const claim = seenTokens.claim(token, now);
  return claim.ok ? claim : { ok: false, reason: "this signature token was already used" };
}

/**
 * The id the adapter stored is Mailgun's send answer `id`, which is the Message-ID in angle
 * brackets; events carry the bare `message.headers.message-id`.
 *
 * @example
 * ```ts
 * mailgunMessageId("20130503182626.18666.16540@sandbox.mailgun.org") // "<20130503182626.18666.16540@sandbox.mailgun.org>"
 * ```
 */
export const mailgunMessageId = (messageId: string) => `<${messageId.trim().replace(/^<|>$/g, "")}>`;

/**
 * The receipt of one Mailgun webhook post (one event for one recipient):
 *
 * | event | status |
 * |---|---|
 * | accepted | sending |
 * | delivered | delivered |
 * | failed, severity `permanent` | permanent-failure |
 * | failed, severity `temporary` | sending: Mailgun retries (for up to 8 hours) |
 * | failed, severity `temporary`, reason `old` | temporary-failure: Mailgun gave up retrying |
 * | complained | delivered, complaint |
 *
 * Other events (opened, clicked, unsubscribed, …) are not receipts.
 *
 * @example
 * ```ts
 * mailgunReceipts({ signature, "event-data": { event: "delivered", recipient: "alice@example.com", message: { headers: { "message-id": "1@mg.example" } }, … } }, now)
 * // [{ provider: "mailgun", providerMessageId: "<1@mg.example>", recipient: "alice@example.com", status: "delivered", … }]
 * ```
 */
export function mailgunReceipts(payload: unknown, now: Date): Receipt[] {
  const event = objectOf(objectOf(payload)?.["event-data"]);
  if (!event) throw new MalformedReceipts('Mailgun posts {"signature", "event-data"}');
  const messageId = textOf(objectOf(objectOf(event.message)?.headers)?.["message-id"]);
  const kind = textOf(event.event);
  if (!messageId || !kind) return [];
  const mapped = statusOf(kind, event);
  if (!mapped) return [];
  const recipient = textOf(event.recipient);
  return [
    {
      provider: "mailgun",
      providerMessageId: mailgunMessageId(messageId),
      ...(recipient ? { recipient: emailRecipient(recipient) } : {}),
      at: eventTime(event.timestamp, now),
      ...mapped,
      ...(textOf(event.id) ? { eventId: event.id as string } : {}),
    },
  ];
}

function statusOf(kind: string, event: Record<string, unknown>): Pick<Receipt, "status" | "detail" | "providerCode" | "complaint"> | undefined {
  const delivery = objectOf(event["delivery-status"]);
  const code = delivery?.code !== undefined && delivery.code !== null ? String(delivery.code) : undefined;
  const said = detailOf(delivery?.description, delivery?.message, event.reason);
  switch (kind) {
    case "accepted":
      return { status: "sending", detail: "Accepted by Mailgun" };
    case "delivered":
      return { status: "delivered", detail: said ?? "Accepted by the receiving server", ...(code ? { providerCode: code } : {}) };
    case "failed": {
      const reason = textOf(event.reason);
      const permanent = event.severity === "permanent";
      const gaveUp = !permanent && reason === "old";
      const detail = `${permanent ? "Failed" : gaveUp ? "Not delivered in time, Mailgun stopped retrying" : "Failed for now, Mailgun retries"}: ${said ?? reason ?? "no reason given"}`;
      return { status: permanent ? "permanent-failure" : gaveUp ? "temporary-failure" : "sending", detail, ...(code ? { providerCode: code } : {}) };
    }
    case "complained":
      return { status: "delivered", detail: "The recipient reported the email as spam", complaint: true };
    default:
      return undefined;
  }
}
