import { z } from "@hono/zod-openapi";
import { displayNameSchema } from "../../lib/display-name";
import { isUuid } from "../../lib/ids";
import { EmailChannelSchema, EmailRecipientsSchema, MsgAppChannelSchema, SmsChannelSchema, SmsRecipientsSchema } from "../send/request-schema";

/**
 * Event type shapes: each channel is the simple-send channel with every field optional (a layer
 * of the cascade gives only what it decides) plus `enabled`. Request-only fields (`delayedSend`,
 * `correlationId`, `tags`) are not part of an event type.
 */

const enabled = z.boolean().optional().openapi({ description: "Default true. false: the channel is not sent unless a request's overrides set it back to true" });

export const EventEmailSchema = EmailChannelSchema.pick({ recipients: true, content: true, sender: true, attachments: true, params: true, callbacks: true })
  .partial()
  .extend({
    // A merge is a request's (one message per row), never a stored layer's.
    recipients: EmailRecipientsSchema.optional(),
    enabled,
    unsubscribe: z
      .object({ enabled: z.boolean() })
      .strict()
      .optional()
      .openapi({ description: "RFC 8058 one-click unsubscribe for this event type's emails; wins over the tenant default `email.unsubscribe` (a request's overrides can set it too)" }),
  })
  .strict()
  .openapi("EventTypeEmail");

export const EventSmsSchema = SmsChannelSchema.pick({ recipients: true, content: true, sender: true, params: true, callbacks: true })
  .partial()
  .extend({ recipients: SmsRecipientsSchema.optional(), enabled })
  .strict()
  .openapi("EventTypeSms");

export const EventMsgAppSchema = MsgAppChannelSchema.pick({ target: true, content: true, params: true, callbacks: true })
  .partial()
  .extend({ enabled })
  .strict()
  .openapi("EventTypeMsgApp");

export const EventCodeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, up to 64")
  // An event type is addressed by id or code in one path segment: a UUID-shaped code would be ambiguous.
  .refine((v) => !isUuid(v), { message: "Must not be shaped like a UUID (event types are addressed by id or code)" })
  .openapi({ example: "funding-approval" });

const channels = {
  email: EventEmailSchema.optional(),
  sms: EventSmsSchema.optional(),
  msgApp: EventMsgAppSchema.optional(),
};

export const CreateEventTypeSchema = z
  .object({
    code: EventCodeSchema,
    name: displayNameSchema(200).openapi({ example: "Funding approved" }),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().optional().openapi({ description: "Default true. false: every send of this event type is a 422" }),
    ...channels,
  })
  .strict()
  .openapi("CreateEventType");

export const UpdateEventTypeSchema = z
  .object({
    name: displayNameSchema(200).optional(),
    description: z.string().max(2000).nullable().optional(),
    enabled: z.boolean().optional(),
    email: EventEmailSchema.nullable().optional(),
    sms: EventSmsSchema.nullable().optional(),
    msgApp: EventMsgAppSchema.nullable().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: "Nothing to change: give at least one field" })
  .openapi("UpdateEventType", {
    description: "At least one field. A channel given replaces that channel whole; `null` removes it. A patch that changes nothing writes no version.",
  });

export type EventEmail = z.infer<typeof EventEmailSchema>;
export type EventSms = z.infer<typeof EventSmsSchema>;
export type EventMsgApp = z.infer<typeof EventMsgAppSchema>;
export type CreateEventTypeInput = z.infer<typeof CreateEventTypeSchema>;
export type UpdateEventTypeInput = z.infer<typeof UpdateEventTypeSchema>;

/** What a version stores (event_type_versions.channels): whether the type is enabled and its channels. */
export interface EventDefinition {
  enabled?: boolean;
  email?: EventEmail;
  sms?: EventSms;
  msgApp?: EventMsgApp;
}
