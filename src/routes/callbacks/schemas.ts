import { z } from "@hono/zod-openapi";
import { CALLBACK_CHANNEL_TYPES, CALLBACK_EVENT_STATES, CALLBACK_TRIGGERS, MESSAGE_STATUSES } from "../../db/schema";
import { MAX_CALLBACK_HEADERS, headerNameProblem, headerValueProblem } from "../../services/callbacks/headers";

export const TAG = "Status callbacks";
export const COLLECTION = "/api/v1/notify/registerCallback";

/** One value or a list, as a list: the spec writes arrays, a single value is accepted too. */
const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .union([item, z.array(item).min(1).max(8)])
    .transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[])
    .openapi({ description: `One ${name} or a list of them` });

const Headers = z
  .record(z.string(), z.string())
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_CALLBACK_HEADERS) ctx.addIssue({ code: "custom", message: `At most ${MAX_CALLBACK_HEADERS} headers` });
    const seen = new Set<string>();
    for (const name of names) {
      const nameProblem = headerNameProblem(name);
      if (nameProblem) ctx.addIssue({ code: "custom", path: [name], message: nameProblem });
      else if (seen.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: "Given twice (header names are case-insensitive)" });
      seen.add(name.toLowerCase());
      const valueProblem = headerValueProblem(headers[name]!);
      if (valueProblem) ctx.addIssue({ code: "custom", path: [name], message: valueProblem });
    }
  })
  .openapi({
    description: `Up to ${MAX_CALLBACK_HEADERS} extra headers sent with every callback (e.g. Authorization). Values are stored encrypted and answered as "[redacted]". Headers the request sets itself (Host, Content-Type, Content-Length, webhook-*, hop-by-hop and forwarding headers) are refused.`,
    example: { Authorization: "Bearer 7d3f…" },
  });

const fields = {
  url: z.string().min(1).max(2048).openapi({ description: "https URL of your receiver, checked by the outbound-URL policy when saved and at each delivery", example: "https://app.example.gov/notify/status" }),
  headers: Headers,
  channelType: listOf(z.enum(CALLBACK_CHANNEL_TYPES), "channel").openapi({
    description:
      "The channels whose message statuses are reported, and/or received-text: each text received on your inbound numbers, POSTed as GOV.UK Notify's received text callback {id, source_number, destination_number, message, date_received} (trigger and statuses do not apply to it)",
  }),
  trigger: z
    .union([z.enum(CALLBACK_TRIGGERS), z.array(z.enum(CALLBACK_TRIGGERS)).max(2)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .openapi({ description: "success: a message delivered; failure: a permanent, temporary or technical failure. [] with statuses for intermediate statuses only" }),
  statuses: z
    .array(z.enum(MESSAGE_STATUSES))
    .max(MESSAGE_STATUSES.length)
    .openapi({ description: "Further statuses to be told of, e.g. sending (handed to the provider) or cancelled", example: ["sending"] }),
  active: z.boolean().openapi({ description: "Default true. false: no events are made for it until set back to true" }),
  description: z.string().max(500).openapi({ example: "Case system status feed" }),
};

export const CreateCallbackSchema = z
  .object({
    url: fields.url,
    headers: fields.headers.optional(),
    channelType: fields.channelType,
    trigger: fields.trigger,
    statuses: fields.statuses.optional(),
    active: fields.active.optional(),
    description: fields.description.optional(),
  })
  .strict()
  .openapi("CallbackRegistrationRequest");

export const UpdateCallbackSchema = z
  .object({
    url: fields.url.optional(),
    headers: fields.headers.nullable().optional(),
    channelType: fields.channelType.optional(),
    trigger: fields.trigger.optional(),
    statuses: fields.statuses.optional(),
    active: fields.active.optional(),
    description: fields.description.nullable().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: "Nothing to change: give at least one field" })
  .openapi("CallbackRegistrationUpdate");

export const CallbackViewSchema = z
  .object({
    callbackId: z.uuid(),
    url: z.string(),
    headers: z.record(z.string(), z.string()).openapi({ description: 'Header names; values are answered as "[redacted]"' }),
    channelType: z.array(z.enum(CALLBACK_CHANNEL_TYPES)),
    trigger: z.array(z.enum(CALLBACK_TRIGGERS)),
    statuses: z.array(z.enum(MESSAGE_STATUSES)),
    active: z.boolean(),
    disabledReason: z.string().nullable().openapi({ description: "Why the service switched it off (the receiver answered 410 Gone); set active: true to resume" }),
    description: z.string().nullable(),
    previousSecretExpiresAt: z.iso.datetime().nullable().openapi({ description: "During a rotation window, until when the previous secret also signs" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("CallbackRegistrationResponse");

export const CreatedCallbackSchema = CallbackViewSchema.extend({
  secret: z.string().openapi({ description: "The Standard Webhooks signing secret (whsec_…). Answered only now: keep it", example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
}).openapi("CreatedCallbackRegistration");

export const RotatedSecretSchema = z
  .object({
    callbackId: z.uuid(),
    secret: z.string().openapi({ description: "The new signing secret, answered only now" }),
    previousSecretExpiresAt: z.iso.datetime().openapi({ description: "Until then events carry a signature with each secret; after it, with the new one only" }),
  })
  .openapi("RotatedCallbackSecret");

export const CallbackIdParamSchema = z.object({
  callbackId: z.uuid().openapi({ param: { name: "callbackId", in: "path" } }),
});

export const CallbackAttemptSchema = z
  .object({
    attempt: z.number().int().openapi({ description: "1 for the first POST of the event; replays continue the numbering" }),
    at: z.iso.datetime(),
    durationMs: z.number().int(),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable().openapi({ example: "timeout" }),
    responseSnippet: z.string().nullable().openapi({ description: "The start of your receiver's answer (at most 1 KB)" }),
  })
  .openapi("CallbackAttempt");

export const CallbackEventSchema = z
  .object({
    eventId: z.string().openapi({ description: "The webhook-id header: the same on every attempt and replay", example: "evt_5f0c…" }),
    callbackId: z.uuid(),
    messageId: z.uuid(),
    status: z.enum(MESSAGE_STATUSES),
    state: z.enum(CALLBACK_EVENT_STATES).openapi({ description: "pending (waiting for its next attempt), delivering, delivered, failed" }),
    attempts: z.array(CallbackAttemptSchema),
    nextAttemptAt: z.iso.datetime().nullable(),
    occurredAt: z.iso.datetime(),
  })
  .openapi("CallbackEvent");

export const EventIdParamSchema = z.object({
  notifyId: z.uuid().openapi({ param: { name: "notifyId", in: "path" } }),
  eventId: z
    .string()
    .regex(/^evt_[0-9a-f]{32}$/, "An event id: evt_ and 32 hex digits")
    .openapi({ param: { name: "eventId", in: "path" }, example: "evt_5f0c2a9e8b1d4c7f9e3a6b2d1c0f8e7a" }),
});
