import { z } from "@hono/zod-openapi";
import { SendParamsSchema } from "../../services/content/json-schemas";

/** The tag every route of the seed's early API carries in the OpenAPI document. */
export const LEGACY_TAG = "GOV.UK Notify (early API)";

export const LegacySendSchema = z
  .object({
    to: z.string().min(1).max(320).openapi({ description: "The phone number (sms) or email address (email)", example: "+447700900404" }),
    template: z
      .union([z.string().min(1).max(64), z.number().int()])
      .openapi({ description: "One of your template ids (`POST /api/v1/templates`); the seed's `1` is an example and is not one", example: "0193a1c2-7d4e-7b1a-9c3d-2e4f5a6b7c8d" }),
    personalisation: SendParamsSchema.optional().openapi({ description: "Values for the template's placeholders", example: { name: "myname", date: "2016" } }),
  })
  .strict()
  .openapi("LegacySend");

export const LegacySendReceiptSchema = z
  .object({ data: z.object({ notification: z.object({ id: z.uuid() }) }) })
  .openapi("LegacySendReceipt");

const timestamp = z.string().openapi({ example: "2016-01-01T09:00:00.999000Z" });

export const LegacyNotificationSchema = z
  .object({
    status: z.enum(["sending", "delivered", "failed"]).openapi({ description: "created, scheduled, sending → sending; delivered → delivered; any failure or cancelled → failed" }),
    createdAt: timestamp,
    to: z.string().nullable().openapi({ example: "+447827992607" }),
    method: z.enum(["sms", "email"]),
    sentAt: timestamp.nullable().openapi({ description: "When it was handed to the provider; null before" }),
    id: z.uuid(),
    message: z.string().nullable().openapi({ description: "The rendered body" }),
    job_id: z.uuid().nullable().openapi({ description: "null; for a notification of several messages (a mail merge), its own id" }),
    sender: z.string().nullable().openapi({ description: "The email From or the SMS sender id", example: "GOVUK" }),
  })
  .openapi("LegacyNotification");

export const LegacyNotificationEnvelopeSchema = z
  .object({ data: z.object({ notification: LegacyNotificationSchema }) })
  .openapi("LegacyNotificationEnvelope");

export const LegacyNotificationListSchema = z
  .object({ data: z.array(z.object({ notification: LegacyNotificationSchema })) })
  .openapi("LegacyNotificationList");
