import { z } from "@hono/zod-openapi";
import { CHANNELS, MESSAGE_STATUSES, NOTIFICATION_STATUSES } from "../../db/schema";
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
