import { z } from "zod";
import type { Receipt } from "./apply";
import { detailOf, emailRecipient, eventTime } from "./normalise";

/*
 * Cloudflare Email Service (the `send_email` binding) reports nothing to a webhook: its Email
 * Sending lifecycle events reach a Queue through a Queues event subscription scoped to one sending
 * domain, and this Worker consumes that queue (queue/consumer.ts, `notify-email-events`). The
 * envelope and payloads are those of "Available Email Sending events"
 * (https://developers.cloudflare.com/email-service/platform/event-subscriptions/): `type`
 * (`cf.email.sending.message.<event>`), `source` {type: "email.sending", zoneId, domain},
 * `payload` {eventId, messageId, sender, recipient, subject, terminal, delivery {status,
 * smtpStatusCode, smtpEnhancedStatusCode, smtpResponse}, bounce {type, classification, reason},
 * failure {reason}, rejection {reason, party, detail}, complaint {type}} and `metadata`
 * {accountId, eventSubscriptionId, eventSchemaVersion, eventTimestamp}.
 *
 * Read defensively, since the schema is young (version 1) and the docs give examples rather than a
 * field reference: only `type`, `payload.messageId` and `payload.recipient` are required; a detail
 * field of an unexpected type is dropped rather than losing the event; numbers are accepted where
 * the examples show strings; sender and subject are never read (personal data the service has no
 * use for here).
 */

/** A free-text field: a string (a number is taken as its text), or absent when it is anything else. */
const text = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .optional()
  .catch(undefined);

/** A sub-object the mapping only reads details from: absent when it is not an object. */
const details = <S extends z.ZodRawShape>(shape: S) => z.object(shape).optional().catch(undefined);

/**
 * One Email Sending event as a Queues event subscription delivers it. Unknown keys are stripped
 * (sender, subject and anything Cloudflare adds later), so nothing personal beyond the recipient
 * travels further.
 */
export const EmailSendingEventSchema = z.object({
  type: z.string().min(1).max(200),
  source: details({ type: text, domain: text }),
  payload: z.object({
    eventId: text,
    // The id send() answered (RFC 5322 allows 998-character lines; nothing longer is an id).
    messageId: z.string().trim().min(1).max(998),
    recipient: z.string().trim().min(1).max(998),
    terminal: z.boolean().optional().catch(undefined),
    delivery: details({ status: text, smtpStatusCode: text, smtpEnhancedStatusCode: text, smtpResponse: text }),
    bounce: details({ type: text, classification: text, reason: text }),
    failure: details({ reason: text }),
    rejection: details({ reason: text, party: text, detail: text }),
    complaint: details({ type: text }),
  }),
  metadata: details({ eventTimestamp: text, eventSchemaVersion: z.number().optional().catch(undefined) }),
});
export type EmailSendingEvent = z.infer<typeof EmailSendingEventSchema>;

/** The event types the subscription publishes, without the `cf.email.sending.` prefix of `type`. */
export const EMAIL_SENDING_EVENTS = ["message.delivered", "message.deferred", "message.bounced", "message.failed", "message.rejected", "message.complained"] as const;

/**
 * A message id as the Email Service answers or reports it, without the angle brackets of the
 * Message-ID header form: the docs do not say which form send() answers and which the events carry,
 * so both sides are stored and matched bare.
 *
 * @example
 * ```ts
 * bareMessageId("<0101018f@example.com>") // "0101018f@example.com"
 * bareMessageId("0101018f-msg-deadbeef")   // "0101018f-msg-deadbeef"
 * ```
 */
export function bareMessageId(id: string): string {
  const trimmed = id.trim();
  return /^<[^<>]+>$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}

/**
 * The event type without its `cf.email.sending.` namespace (the subscription lists the bare names).
 *
 * @example
 * ```ts
 * emailEventType("cf.email.sending.message.bounced") // "message.bounced"
 * ```
 */
export function emailEventType(type: string): string {
  return type.startsWith("cf.email.sending.") ? type.slice("cf.email.sending.".length) : type;
}

/**
 * The receipt of one Email Sending event, or null for an event that is not one (an unknown type,
 * an event of another source bound to the queue by mistake):
 *
 * | event | status |
 * |---|---|
 * | message.delivered | delivered |
 * | message.deferred | sending (Cloudflare retries; `terminal: false`) |
 * | message.bounced | bounce.type `hard` (or classification `permanent_failure`): permanent-failure; `soft` (retries exhausted): temporary-failure |
 * | message.failed | temporary-failure (an internal or non-SMTP error, nothing said about the recipient) |
 * | message.rejected | permanent-failure (refused before delivery: suppressed, invalid, spam) |
 * | message.complained | delivered, complaint |
 *
 * Matched by `payload.messageId` and `payload.recipient` (one event per recipient), at
 * `metadata.eventTimestamp`; `payload.eventId` de-duplicates within a batch.
 *
 * @example
 * ```ts
 * cloudflareReceipt(EmailSendingEventSchema.parse(event), now)
 * // { provider: "cloudflare", providerMessageId: "0101018f…", recipient: "user@example.net", status: "delivered", … }
 * ```
 */
export function cloudflareReceipt(event: EmailSendingEvent, now: Date): Receipt | null {
  const sourceType = event.source?.type;
  if (sourceType !== undefined && sourceType !== "email.sending") return null;
  const mapped = statusOf(emailEventType(event.type), event.payload);
  if (!mapped) return null;
  return {
    provider: "cloudflare",
    providerMessageId: bareMessageId(event.payload.messageId),
    recipient: emailRecipient(event.payload.recipient),
    at: eventTime(event.metadata?.eventTimestamp, now),
    ...mapped,
    ...(event.payload.eventId ? { eventId: event.payload.eventId } : {}),
  };
}

type Mapped = Pick<Receipt, "status" | "detail" | "providerCode" | "complaint">;

function statusOf(type: string, p: EmailSendingEvent["payload"]): Mapped | undefined {
  const smtp = p.delivery?.smtpEnhancedStatusCode ?? p.delivery?.smtpStatusCode;
  switch (type) {
    case "message.delivered":
      return { status: "delivered", detail: detailOf(p.delivery?.smtpResponse) ?? "Accepted by the receiving server" };
    case "message.deferred":
      return { status: "sending", detail: `Deferred, Cloudflare retries: ${detailOf(p.bounce?.reason, p.delivery?.smtpResponse) ?? "no reason given"}` };
    case "message.bounced": {
      const kind = p.bounce?.type?.toLowerCase();
      const soft = kind === "soft" || (kind !== "hard" && p.bounce?.classification === "temporary_failure");
      const code = [p.bounce?.type, smtp].filter(Boolean).join("/");
      return {
        status: soft ? "temporary-failure" : "permanent-failure",
        detail: detailOf(p.bounce?.reason, p.delivery?.smtpResponse) ?? (soft ? "Bounced after Cloudflare's retries ran out" : "Bounced"),
        ...(code ? { providerCode: code } : {}),
      };
    }
    case "message.failed":
      return {
        status: "temporary-failure",
        detail: `Not delivered by Cloudflare: ${detailOf(p.failure?.reason) ?? "no reason given"}`,
        ...(p.failure?.reason ? { providerCode: detailOf(p.failure.reason) } : {}),
      };
    case "message.rejected":
      return {
        status: "permanent-failure",
        detail: `Rejected by Cloudflare before delivery: ${detailOf(p.rejection?.detail, p.rejection?.reason) ?? "no reason given"}`,
        ...(p.rejection?.reason ? { providerCode: `rejected/${detailOf(p.rejection.reason)}` } : {}),
      };
    case "message.complained":
      return { status: "delivered", detail: "The recipient reported the email as spam", complaint: true, ...(p.complaint?.type ? { providerCode: detailOf(p.complaint.type) } : {}) };
    default:
      return undefined;
  }
}
