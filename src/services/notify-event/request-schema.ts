import { z } from "@hono/zod-openapi";
import { displayNameSchema } from "../../lib/display-name";
import { SendParamsSchema } from "../content/json-schemas";
import { EventEmailSchema, EventMsgAppSchema, EventSmsSchema } from "../event-types/schema";
import { AttachmentSchema, EmailChannelSchema, EmailRecipientsSchema, MsgAppChannelSchema, SmsRecipientsSchema } from "../send/request-schema";

/**
 * `POST /api/v1/notifyevent`: an event type and what the request changes. `overrides` replace
 * (the event type's channel shape, every field optional); `augments` only add, so they take only
 * what can be added to: recipient lists, reply-to addresses, chat targets, attachments and params.
 */

const OverridesSchema = z
  .object({ email: EventEmailSchema.optional(), sms: EventSmsSchema.optional(), msgApp: EventMsgAppSchema.optional() })
  .strict()
  .openapi("EventOverrides", { description: 'Replace: objects merge key by key, a leaf or an array replaces the inherited one; `"sms": {}` means the channel is not sent' });

const emailRecipients = EmailRecipientsSchema;
const AugmentsSchema = z
  .object({
    email: z
      .object({
        recipients: emailRecipients.optional(),
        sender: z.object({ replyTo: EmailChannelSchema.shape.sender.unwrap().shape.replyTo }).strict().optional(),
        attachments: z.array(AttachmentSchema).max(10).optional(),
        params: SendParamsSchema.optional(),
      })
      .strict()
      .optional(),
    sms: z.object({ recipients: SmsRecipientsSchema.optional(), params: SendParamsSchema.optional() }).strict().optional(),
    msgApp: z.object({ target: MsgAppChannelSchema.shape.target.optional(), params: SendParamsSchema.optional() }).strict().optional(),
  })
  .strict()
  .openapi("EventAugments", { description: "Add: lists are appended (recipients deduplicated after normalisation), params merged key by key; nothing is removed" });

export const NotifyEventSchema = z
  .object({
    notificationEventType: z.string().min(1).max(64).openapi({ description: "The event type's code or id", example: "funding-approval" }),
    params: SendParamsSchema.optional(),
    overrides: OverridesSchema.optional(),
    augments: AugmentsSchema.optional(),
    delayedSend: z.string().max(64).optional().openapi({ description: "ISO 8601 date-time in the future; no zone means UTC" }),
    correlationId: displayNameSchema(128).optional(),
    tags: z.array(displayNameSchema(64)).max(20).optional(),
    allowDuplicate: z.boolean().optional().openapi({ description: "Send even if the same resolved notification was accepted within the tenant's duplicate window" }),
  })
  .strict()
  .openapi("NotifyEvent");

export type NotifyEventInput = z.infer<typeof NotifyEventSchema>;
