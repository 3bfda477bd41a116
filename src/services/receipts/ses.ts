import { z } from "zod";
import type { Receipt } from "./apply";

/*
 * Amazon SES events as SNS delivers them: event publishing records (`eventType`, through a
 * configuration set's SNS event destination) or the older identity notifications
 * (`notificationType`). Both carry `mail.messageId`, the id SendEmail / SendBulkEmail answered,
 * which the SES adapter stored as the delivery's provider message id.
 */

const email = z.string().max(320);
const time = z.string().max(64).optional();
const SesRecordSchema = z.object({
  eventType: z.string().max(32).optional(),
  notificationType: z.string().max(32).optional(),
  mail: z.object({ messageId: z.string().min(1).max(256), timestamp: time, destination: z.array(email).max(100).optional() }),
  delivery: z.object({ timestamp: time, recipients: z.array(email).max(100).optional(), smtpResponse: z.string().max(1000).optional() }).optional(),
  bounce: z
    .object({
      bounceType: z.string().max(32).optional(),
      bounceSubType: z.string().max(64).optional(),
      timestamp: time,
      feedbackId: z.string().max(256).optional(),
      bouncedRecipients: z.array(z.object({ emailAddress: email, diagnosticCode: z.string().max(1000).optional(), status: z.string().max(32).optional() })).max(100).optional(),
    })
    .optional(),
  complaint: z
    .object({
      timestamp: time,
      feedbackId: z.string().max(256).optional(),
      complaintFeedbackType: z.string().max(64).optional(),
      complainedRecipients: z.array(z.object({ emailAddress: email })).max(100).optional(),
    })
    .optional(),
  deliveryDelay: z
    .object({ timestamp: time, delayType: z.string().max(64).optional(), delayedRecipients: z.array(z.object({ emailAddress: email })).max(100).optional() })
    .optional(),
  reject: z.object({ reason: z.string().max(500).optional() }).optional(),
  failure: z.object({ errorMessage: z.string().max(1000).optional() }).optional(),
});
export type SesRecord = z.infer<typeof SesRecordSchema>;

/**
 * The SES record an SNS notification's Message holds, or null when it is not one (SNS's own
 * test message, another service publishing to the topic).
 */
export function parseSesRecord(message: string): SesRecord | null {
  try {
    const parsed = SesRecordSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** SES's event time, or `fallback` when it gives none (or an unreadable one). */
function timeOf(value: string | undefined, fallback: Date): Date {
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : fallback;
}

/** The bare address of `Name <addr>` (SES reports bare addresses, but mail.destination may carry names). */
const bare = (address: string) => (/<([^<>]*)>\s*$/.exec(address)?.[1] ?? address).trim();

const clip = (value: string, max = 500) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/**
 * The receipts of one SES record, one per recipient it names. Mapping: Send and DeliveryDelay →
 * `sending` (interim); Delivery → `delivered`; Bounce Permanent → `permanent-failure`, Transient
 * and Undetermined → `temporary-failure` (SES gave up for now; sending later may work); Complaint
 * → `delivered` (a complaint means the message arrived) with `complaint`; Reject (a virus) and
 * RenderingFailure → `permanent-failure` for every recipient. Open, Click and Subscription say
 * nothing about delivery: none. `eventId` is the SNS MessageId (one per record; the recipient
 * tells a record's receipts apart).
 *
 * @example
 * ```ts
 * sesReceipts({ eventType: "Bounce", mail: { messageId: "0100…" }, bounce: { bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: "a@example.com" }] } }, now, "sns-id")
 * // [{ provider: "ses", providerMessageId: "0100…", recipient: "a@example.com", status: "permanent-failure", providerCode: "Permanent/General", … }]
 * ```
 */
export function sesReceipts(record: SesRecord, now: Date, eventId?: string): Receipt[] {
  const kind = record.eventType ?? record.notificationType;
  const base = { provider: "ses", providerMessageId: record.mail.messageId, ...(eventId ? { eventId } : {}) };
  const each = (recipients: string[] | undefined, make: (recipient: string | undefined) => Omit<Receipt, "provider" | "providerMessageId" | "recipient">): Receipt[] =>
    recipients && recipients.length > 0 ? recipients.map((r) => ({ ...base, recipient: bare(r), ...make(bare(r)) })) : [{ ...base, ...make(undefined) }];
  switch (kind) {
    case "Send":
      return [{ ...base, status: "sending", at: timeOf(record.mail.timestamp, now), detail: "SES: accepted for sending" }];
    case "DeliveryDelay": {
      const delay = record.deliveryDelay;
      return each(delay?.delayedRecipients?.map((r) => r.emailAddress), () => ({
        status: "sending",
        at: timeOf(delay?.timestamp, now),
        detail: clip(`SES: delivery delayed (${delay?.delayType ?? "unknown reason"}); SES keeps trying`),
      }));
    }
    case "Delivery":
      return each(record.delivery?.recipients, () => ({
        status: "delivered",
        at: timeOf(record.delivery?.timestamp, now),
        detail: clip(`SES: delivered${record.delivery?.smtpResponse ? ` (${record.delivery.smtpResponse})` : ""}`),
      }));
    case "Bounce": {
      const bounce = record.bounce;
      const permanent = bounce?.bounceType === "Permanent";
      const code = [bounce?.bounceType, bounce?.bounceSubType].filter(Boolean).join("/") || undefined;
      return (bounce?.bouncedRecipients ?? []).map((r) => ({
        ...base,
        ...(bounce?.feedbackId ? { eventId: bounce.feedbackId } : {}),
        recipient: bare(r.emailAddress),
        status: permanent ? "permanent-failure" : "temporary-failure",
        at: timeOf(bounce?.timestamp, now),
        detail: clip(`SES: ${permanent ? "hard" : "soft"} bounce (${code ?? "unknown type"})${r.diagnosticCode ? `: ${r.diagnosticCode}` : ""}`),
        ...(code ? { providerCode: code } : {}),
      }));
    }
    case "Complaint": {
      const complaint = record.complaint;
      return (complaint?.complainedRecipients ?? []).map((r) => ({
        ...base,
        ...(complaint?.feedbackId ? { eventId: complaint.feedbackId } : {}),
        recipient: bare(r.emailAddress),
        status: "delivered",
        complaint: true,
        at: timeOf(complaint?.timestamp, now),
        detail: clip(`SES: the recipient complained (${complaint?.complaintFeedbackType ?? "spam report"})`),
        providerCode: `Complaint${complaint?.complaintFeedbackType ? `/${complaint.complaintFeedbackType}` : ""}`,
      }));
    }
    case "Reject":
      return [{ ...base, status: "permanent-failure", at: timeOf(record.mail.timestamp, now), detail: clip(`SES: rejected (${record.reject?.reason ?? "no reason given"})`), providerCode: "Reject" }];
    case "Rendering Failure":
    case "RenderingFailure":
      return [
        { ...base, status: "permanent-failure", at: timeOf(record.mail.timestamp, now), detail: clip(`SES: rendering failed (${record.failure?.errorMessage ?? "no reason given"})`), providerCode: "RenderingFailure" },
      ];
    default:
      return [];
  }
}
