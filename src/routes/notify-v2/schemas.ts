import { z } from "@hono/zod-openapi";
import { JSON_VALUE_LIMITS } from "../../lib/json-bounds";
import { SendParamsSchema } from "../../services/content/json-schemas";

/**
 * Request and response shapes of Notify's v2 notifications API
 * (`api/app/v2/notifications/notification_schemas.py`), `additionalProperties: false`. The
 * messages are Notify's validationMessages; notifyV2Hook puts the field name in front.
 */

const uuid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "is not a valid UUID");

const common = {
  template_id: uuid.openapi({ description: "One of your templates of this type", example: "f33517ff-2a88-4f6e-b855-c550268ce08a" }),
  // Bounded as every other send's params (keys, bytes, depth; a file's base64 by the file rules).
  personalisation: SendParamsSchema.optional().openapi({ description: "Values for the template's ((placeholders))", example: { name: "Amala" } }),
  reference: z.string().max(1000).optional().openapi({ description: "Your reference (stored as the notification's correlation id; `?reference=` finds it)" }),
  scheduled_for: z
    .string()
    .nullable()
    .optional()
    .openapi({ description: "Send later, at most 24 hours ahead (ISO 8601; no zone means UTC). Notify ignores it; this service honours it", example: "2030-01-01T10:00:00" }),
};

export const V2SmsRequestSchema = z
  .object({
    phone_number: z.string().openapi({ example: "+447900900123" }),
    ...common,
    sms_sender_id: uuid.optional().openapi({ description: "One of your SMS senders (`/api/v1/tenant/sms-senders`)" }),
  })
  .strict()
  .openapi("NotifyV2SmsRequest");

/** Longest personalisation key (SendParamsSchema's). */
const MAX_PERSONALISATION_KEY = 256;

/** Longest URL whose `<url>` fits the 900 characters a header value may have (channels/email/headers.ts). */
const MAX_UNSUBSCRIBE_URL = 898;

function isHeaderSafeHttpsUrl(value: string): boolean {
  if (value.length > MAX_UNSUBSCRIBE_URL || /[\s<>\x00-\x1f\x7f]/.test(value)) return false;
  return URL.canParse(value) && new URL(value).protocol === "https:";
}

export const V2EmailRequestSchema = z
  .object({
    email_address: z.string().openapi({ example: "amala@example.com" }),
    ...common,
    email_reply_to_id: uuid.optional().openapi({ description: "One of your reply-to addresses (`/api/v1/tenant/reply-to-addresses`)" }),
    one_click_unsubscribe_url: z
      .string()
      .regex(/^https/, "is not a valid https url")
      // It becomes a header line: a URL that does not parse, or with spaces, angle brackets or
      // control characters, or too long for the line, would be dropped there instead of refused here.
      .refine(isHeaderSafeHttpsUrl, "is not a valid https url")
      .optional()
      .openapi({ description: "The email's one-click unsubscribe URL: sent as its List-Unsubscribe header (with List-Unsubscribe-Post: List-Unsubscribe=One-Click) instead of this service's own link, and echoed in the answer" }),
    // Names of personalisation keys: no more of them, nor longer, than personalisation may have.
    sanitise_content_for: z
      .array(z.string().max(MAX_PERSONALISATION_KEY))
      .max(JSON_VALUE_LIMITS.params.maxKeys)
      .nullable()
      .optional()
      .openapi({ description: "Personalisation keys whose values have URLs removed and markdown escaped" }),
  })
  .strict()
  .openapi("NotifyV2EmailRequest");

export const V2LetterRequestSchema = z.record(z.string(), z.unknown()).openapi("NotifyV2LetterRequest");

const TemplateRefSchema = z.object({ id: z.uuid(), version: z.number().int(), uri: z.string() });

const sendCommon = {
  id: z.uuid(),
  reference: z.string().nullable(),
  uri: z.string().openapi({ example: "https://notify.example/v2/notifications/740e5834-3a29-46b4-9a6f-16142fde533a" }),
  template: TemplateRefSchema,
  scheduled_for: z.string().nullable(),
};

export const V2SmsResponseSchema = z
  .object({ ...sendCommon, content: z.object({ body: z.string(), from_number: z.string() }) })
  .openapi("NotifyV2SmsResponse");

export const V2EmailResponseSchema = z
  .object({
    ...sendCommon,
    content: z.object({ from_email: z.string(), body: z.string(), subject: z.string(), one_click_unsubscribe_url: z.string().nullable() }),
    sanitised_content: z.record(z.string(), z.object({ unsanitised: z.string(), sanitised: z.string() })),
  })
  .openapi("NotifyV2EmailResponse");

export const V2NotificationSchema = z
  .object({
    id: z.uuid(),
    reference: z.string().nullable(),
    email_address: z.string().nullable(),
    phone_number: z.string().nullable(),
    line_1: z.null(),
    line_2: z.null(),
    line_3: z.null(),
    line_4: z.null(),
    line_5: z.null(),
    line_6: z.null(),
    postcode: z.null(),
    type: z.enum(["sms", "email"]),
    status: z.string().openapi({ description: "created (also while scheduled), sending, delivered, permanent-failure, temporary-failure, technical-failure, cancelled" }),
    template: z.object({ version: z.number().int(), id: z.uuid(), uri: z.string() }).nullable(),
    body: z.string(),
    subject: z.string().nullable(),
    created_at: z.string().openapi({ example: "2024-05-17T15:58:38.342000Z" }),
    created_by_name: z.null(),
    sent_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    scheduled_for: z.string().nullable(),
    postage: z.null(),
    one_click_unsubscribe_url: z.string().nullable(),
    is_cost_data_ready: z.boolean(),
    cost_in_pounds: z.number().nullable(),
    cost_details: z.object({}),
  })
  .openapi("NotifyV2Notification");

export const V2NotificationListSchema = z
  .object({ notifications: z.array(V2NotificationSchema), links: z.object({ current: z.string(), next: z.string().optional() }) })
  .openapi("NotifyV2NotificationList");
