import { z } from "@hono/zod-openapi";
import { ATTEMPT_OUTCOMES, CHANNELS, MESSAGE_STATUSES, NOTIFICATION_STATUSES } from "../../db/schema";
import { ResolutionSchema } from "../send/schemas";

export const NotifyIdParamSchema = z.object({
  notifyId: z.uuid().openapi({ param: { name: "notifyId", in: "path" } }),
});

const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: "provider_rejected" }),
    message: z.string(),
    retryable: z.boolean(),
    provider: z.string().optional(),
    httpStatus: z.number().int().optional(),
    providerCode: z.string().optional(),
    at: z.iso.datetime(),
  })
  .openapi("DeliveryError");

export const MessageSchema = z
  .object({
    messageId: z.uuid(),
    channel: z.enum(CHANNELS),
    recipient: z.string(),
    role: z.enum(["to", "cc", "bcc"]).nullable(),
    status: z.enum(MESSAGE_STATUSES),
    provider: z.string(),
    providerMessageId: z.string().nullable(),
    attempts: z.number().int(),
    templateId: z.string().nullable(),
    templateVersion: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    scheduledFor: z.iso.datetime().nullable(),
    sentAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    error: ErrorSchema.nullable(),
  })
  .openapi("Message");

export const NotificationSummarySchema = z
  .object({
    notifyId: z.uuid(),
    status: z.enum(NOTIFICATION_STATUSES),
    source: z.string(),
    keyType: z.enum(["live", "team", "test"]),
    correlationId: z.string().nullable(),
    tags: z.array(z.string()),
    channels: z.array(z.enum(CHANNELS)),
    messageCount: z.number().int(),
    scheduledFor: z.iso.datetime().nullable(),
    eventType: z
      .object({ code: z.string(), version: z.number().int() })
      .nullable()
      .openapi({ description: "The event type and version a /notifyevent send resolved; null for simple sends" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("NotificationSummary");

export const CancelResultSchema = NotificationSummarySchema.extend({
  counts: z.record(z.string(), z.number().int()).openapi({ description: "Messages per status, after cancelling" }),
  cancelled: z.number().int().openapi({ description: "Messages this request cancelled" }),
}).openapi("CancelResult");

export const NotificationSchema = NotificationSummarySchema.extend({
  counts: z.record(z.string(), z.number().int()).openapi({ description: "Messages per status" }),
  progress: z
    .object({ done: z.number().int(), total: z.number().int(), percent: z.number() })
    .openapi({ description: "Messages in a final status (delivered, failed, cancelled) of all of them; percent to one decimal", example: { done: 750, total: 1000, percent: 75 } }),
  messages: z.array(MessageSchema).openapi({ description: "The first 100 messages (by channel, then as created); every message, a page at a time, at messagesUrl" }),
  messagesTruncated: z.boolean().openapi({ description: "True when the notification has more than the 100 messages listed here (a mail merge)" }),
  messagesUrl: z.url().openapi({ description: "GET /api/v1/notify/{notifyId}/messages: every message, paged, with a status filter" }),
  resolution: ResolutionSchema.nullable().openapi({ description: "Where each resolved value came from (as a preview's `explain=true` shows it); null for sends stored before it was recorded" }),
}).openapi("Notification");

export const AttemptSchema = z
  .object({
    attemptId: z.uuid(),
    deliveryId: z.uuid().openapi({ description: "The provider call the attempt belongs to: the recipients of one email share it, each SMS and chat post has its own" }),
    channel: z.enum(CHANNELS),
    attempt: z.number().int().openapi({ description: "The delivery's attempt number; a skipped attempt takes none, so the call after it has the same number" }),
    provider: z.string().openapi({ example: "postmark" }),
    outcome: z.enum(ATTEMPT_OUTCOMES).openapi({
      description:
        "accepted: the provider took the message. retryable / permanent / configuration: the provider's error of that kind. unknown: no answer once the request was sent (never resent to another provider). skipped: no call, every provider's circuit was open. not_sent: no call, the message could not be prepared",
    }),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime(),
    httpStatus: z.number().int().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    providerMessageId: z.string().nullable(),
  })
  .openapi("DeliveryAttempt");
