import { timingSafeEqualString } from "../../lib/crypto/hash";
import type { Receipt } from "./apply";
import { detailOf, emailRecipient, eventTime, MalformedReceipts, objectOf, textOf } from "./normalise";
import { missing, refused, type Verification, VERIFIED } from "./verification";

/**
 * Postmark does not sign webhooks; it sends the HTTP Basic credentials written into the webhook
 * URL (`https://user:password@host/hooks/postmark`) with every post. Both are compared in
 * constant time, together, so neither the user nor the password can be found one at a time.
 *
 * @example
 * ```ts
 * verifyPostmark(new Headers({ authorization: `Basic ${btoa("postmark:s3cret")}` }), "postmark", "s3cret") // { ok: true }
 * ```
 */
export function verifyPostmark(headers: Headers, user: string, password: string): Verification {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (!match) return missing("HTTP Basic credentials are required (put them in the webhook URL in Postmark)");
  let given: string;
  try {
    given = atob(match[1]!);
  } catch {
    return refused("the Basic credentials are not base64");
  }
  return timingSafeEqualString(given, `${user}:${password}`) ? VERIFIED : refused("wrong webhook user or password");
}

/**
 * Postmark bounce types (the `Type` of a Bounce record, postmarkapp.com/developer/api/bounce-api)
 * and what each says about the message. Types that are not about delivering it (auto-replies,
 * address changes, subscription requests, virus or spam notifications about a delivered message,
 * inbound errors) give no receipt.
 */
const BOUNCE_STATUS: Record<string, Receipt["status"]> = {
  HardBounce: "permanent-failure",
  BadEmailAddress: "permanent-failure",
  ManuallyDeactivated: "permanent-failure",
  Unconfirmed: "permanent-failure",
  DMARCPolicy: "permanent-failure",
  TemplateRenderingFailed: "permanent-failure",
  SMTPApiError: "permanent-failure",
  SoftBounce: "temporary-failure",
  DnsError: "temporary-failure",
  Blocked: "temporary-failure",
  Unknown: "temporary-failure",
  // "Message delayed": Postmark is still trying.
  Transient: "sending",
};

/**
 * The receipt of one Postmark webhook post (one record):
 *
 * | RecordType | status |
 * |---|---|
 * | Delivery | delivered |
 * | Bounce | by `Type`: HardBounce, BadEmailAddress, ManuallyDeactivated, … permanent-failure; SoftBounce, DnsError, Blocked, Unknown temporary-failure; Transient sending |
 * | SpamComplaint | delivered, complaint |
 *
 * Open, Click and SubscriptionChange records are not receipts. The message is Postmark's
 * `MessageID` (what the adapter stored), the recipient `Recipient` or `Email`.
 *
 * @example
 * ```ts
 * postmarkReceipts({ RecordType: "Delivery", MessageID: "883953f4-…", Recipient: "john@example.com", DeliveredAt: "2019-11-05T16:33:54Z", Details: "Test delivery webhook details" }, now)
 * // [{ provider: "postmark", providerMessageId: "883953f4-…", recipient: "john@example.com", status: "delivered", … }]
 * ```
 */
export function postmarkReceipts(payload: unknown, now: Date): Receipt[] {
  const record = objectOf(payload);
  const kind = textOf(record?.RecordType);
  if (!record || !kind) throw new MalformedReceipts("Postmark posts one record with a RecordType");
  const messageId = textOf(record.MessageID);
  if (!messageId) return [];
  const base = { provider: "postmark", providerMessageId: messageId.trim() };
  const recipient = (field: unknown) => (textOf(field) ? { recipient: emailRecipient(field as string) } : {});
  switch (kind) {
    case "Delivery":
      return [{ ...base, ...recipient(record.Recipient), at: eventTime(record.DeliveredAt, now), status: "delivered", detail: detailOf(record.Details) ?? "Accepted by the receiving server" }];
    case "Bounce": {
      const type = textOf(record.Type) ?? "Unknown";
      if (type === "SpamComplaint") return [complaint(base, record, now)];
      const status = Object.hasOwn(BOUNCE_STATUS, type) ? BOUNCE_STATUS[type]! : undefined;
      if (!status) return [];
      return [{ ...base, ...recipient(record.Email), at: eventTime(record.BouncedAt, now), status, detail: detailOf(record.Description, record.Details, record.Name) ?? type, providerCode: type }];
    }
    case "SpamComplaint":
      return [complaint(base, record, now)];
    default:
      return [];
  }
}

function complaint(base: { provider: string; providerMessageId: string }, record: Record<string, unknown>, now: Date): Receipt {
  return {
    ...base,
    ...(textOf(record.Email) ? { recipient: emailRecipient(record.Email as string) } : {}),
    at: eventTime(record.BouncedAt, now),
    status: "delivered",
    detail: "The recipient reported the email as spam",
    providerCode: "SpamComplaint",
    complaint: true,
  };
}
