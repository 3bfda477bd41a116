import { NOTIFICATION_STATUSES } from "../../db/schema";
import { z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";

/** Recipients the tenant's suppression list removed from a send (services/suppressions/apply.ts). */
export const SuppressedRecipientsSchema = z
  .array(
    z.object({
      channel: z.enum(["email", "sms"]),
      recipient: z.string(),
      path: z.string().optional().openapi({ description: "The recipient field it came from (a group's members: the `group:` entry)" }),
      reason: z.string(),
      source: z.enum(["api", "unsubscribe", "provider"]),
    }),
  )
  .openapi("SuppressedRecipients", { description: "Present only when recipients were suppressed: each one left out, with the reason on the suppression list" });

/** A mail merge's outcome per channel (services/send/merge/plan-merge.ts MergeSummary). */
export const MergeSummarySchema = z
  .record(
    z.string(),
    z.object({
      rows: z.number().int().openapi({ description: "Data rows given (blank rows not counted)" }),
      sent: z.number().int().openapi({ description: "Rows with a message to send" }),
      skipped: z.number().int().openapi({ description: "Rows left out (skipInvalidRows): invalid, or off the guest list" }),
      errors: z
        .array(z.object({ row: z.number().int(), column: z.string().nullable(), path: z.string(), message: z.string() }))
        .openapi({ description: "The first 100 row problems" }),
      suppressed: z.number().int().openapi({ description: "Recipients the suppression list removed (listed in `suppressed`)" }),
      notAllowed: z.number().int().openapi({ description: "Rows skipped because a recipient is not on the guest list (team keys, trial mode)" }),
    }),
  )
  .openapi("MergeSummary", { description: "Present for a mail merge: per channel (email, sms)" });

export const SendReceiptSchema = z
  .object({
    notifyId: z.uuid(),
    status: z
      .enum(NOTIFICATION_STATUSES)
      .openapi({ description: "`accepted`, `scheduled`, or `failed` only when every message failed before any provider call (a subscription service that could not be asked); a duplicate answers the first notification's status as it is now" }),
    duplicate: z
      .literal(true)
      .optional()
      .openapi({ description: "This send is the same notification as one accepted within the duplicate window: nothing was sent, and this is the first one (answered with 200 and `Idempotent-Replayed: true`)" }),
    statusUrl: z.url().openapi({ description: "GET it to follow the delivery" }),
    channels: z
      .object({ email: z.number().int().optional(), sms: z.number().int().optional(), msgApp: z.number().int().optional() })
      .openapi({ description: "Messages created per channel (one per recipient)" }),
    correlationId: z.string().nullable(),
    scheduledFor: z.iso.datetime().nullable(),
    eventType: z
      .object({ code: z.string(), version: z.number().int() })
      .optional()
      .openapi({ description: "/notifyevent sends: the event type and the version the send resolved" }),
    suppressed: SuppressedRecipientsSchema.optional(),
    merge: MergeSummarySchema.optional(),
    createdAt: z.iso.datetime(),
  })
  .openapi("SendReceipt");

/**
 * Where each resolved value came from. `channels.<channel>` maps a setting's path in the channel
 * (`sender.from`, `recipients.cc`, `content.templateId`, `params.amount`, `provider`) to the layer
 * that gave it: `system`, `tenant`, `event`, `request` or `augment`; a list built by several
 * layers names them in order (`event+augment`).
 */
export const ResolutionSchema = z
  .object({
    eventType: z.object({ id: z.uuid(), code: z.string(), version: z.number().int() }).optional(),
    channels: z.record(z.string(), z.record(z.string(), z.string())).openapi({
      example: { email: { provider: "system", "sender.from": "tenant", "recipients.to": "event", "recipients.cc": "event+augment", "content.templateId": "request", "params.amount": "request" } },
    }),
    notSent: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: "Channels not sent, with the field that turned each off", example: { sms: "overrides.sms" } }),
    callbacks: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .openapi({ description: "Per channel, the status callback registrations its status changes are reported to", example: { email: ["0193a1c2-7d4e-7b1a-9c3d-2e4f5a6b7c8d"] } }),
  })
  .openapi("Resolution");

const EmailPayloadSchema = z
  .object({
    provider: z.string(),
    from: z.string(),
    replyTo: z.array(z.string()),
    recipients: z.object({ to: z.array(z.string()), cc: z.array(z.string()).optional(), bcc: z.array(z.string()).optional() }),
    content: z.object({
      subject: z.string(),
      body: z.string(),
      bodyType: z.enum(["text", "html", "markdown"]),
      encoding: z.literal("utf-8"),
      renderer: z.string(),
      html: z.string().optional(),
      text: z.string().optional(),
    }),
    attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int() })),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: "Extra header fields: with one-click unsubscribe, `List-Unsubscribe` (this recipient's link) and `List-Unsubscribe-Post`" }),
  })
  .openapi("EmailPayload");

const SmsPayloadSchema = z
  .object({
    provider: z.string(),
    from: z.string(),
    recipients: z.object({ to: z.array(z.string()) }),
    content: z.object({ body: z.string(), length: z.number().int(), fragments: z.number().int(), encoding: z.enum(["GSM-7", "UCS-2"]) }),
  })
  .openapi("SmsPayload");

const MsgAppPayloadSchema = z
  .object({
    provider: z.string(),
    target: z.object({ type: z.enum(["slack", "teams", "rocketchat", "webhook"]), name: z.string().optional(), url: z.string() }),
    content: z.object({ text: z.string(), card: z.unknown().optional() }),
  })
  .openapi("MsgAppPayload");

export const PreviewSchema = z
  .object({
    email: z.array(EmailPayloadSchema).optional(),
    sms: z.array(SmsPayloadSchema).optional(),
    msgApp: z.array(MsgAppPayloadSchema).optional(),
    resolution: ResolutionSchema.optional().openapi({ description: "Only with `explain=true`" }),
    suppressed: SuppressedRecipientsSchema.optional(),
    merge: MergeSummarySchema.optional().openapi({ description: "A mail merge: the channel's list shows the first `previewRows` rows (default 10); this says how many there are and which are invalid" }),
  })
  .openapi("Preview", { description: "Per channel, one entry per provider call, exactly as it would be handed to the provider" });

/** What every simple-send route says about itself: they differ only in the channels they take. */
export const SEND_DESCRIPTION =
  "Answers 201 once the notification is stored and queued (delivery is asynchronous: follow statusUrl). With `?preview=true` answers 200 with exactly what would be handed to each provider, and stores nothing; add `&explain=true` for `resolution`, the layer each resolved value came from (system, tenant, request). A parameter a template needs and the request lacks, a bad recipient, or an unknown template is a 422 naming every field at fault.";

export const sendResponses = {
  201: { description: "Accepted for delivery", content: { "application/json": { schema: SendReceiptSchema } } },
  200: {
    description: "Preview (only with ?preview=true); or, with `Idempotent-Replayed: true`, the first notification when this send duplicates one accepted within the duplicate window (nothing sent)",
    content: { "application/json": { schema: z.union([PreviewSchema, SendReceiptSchema]) } },
  },
  ...problemResponses(400, 401, 403, 413, 415, 422, 429, 503),
};
