import { z } from "@hono/zod-openapi";
import { CallbackIdsSchema } from "../callbacks/setting-schema";
import { BODY_TYPES } from "../../db/schema";
import { displayNameSchema } from "../../lib/display-name";
import { CardSchema, ParamsSchema, SendParamsSchema } from "../content/json-schemas";
import { RENDERER_NAMES } from "../render/renderer";
import { SenderIdSchema } from "./sender-id";
import { ChatTargetSchema } from "../tenants/settings";
import { MAX_MERGE_CELL_CHARS, MAX_MERGE_COLUMNS, MAX_MERGE_ROWS } from "./merge/merge-array";

/**
 * Request shapes of the simple send endpoints (the seed's §1–2 and the common-notify design
 * spec, with DESIGN.md's fixed decisions). Schema errors are 400s; whether an address, a
 * template or a parameter is usable is decided later and answered with 422s.
 */

const RecipientList = z
  .union([z.string().max(10_000, "At most 10000 characters"), z.array(z.string().max(2048)).max(1000, "At most 1000 recipients")])
  .openapi({ description: "An array, or one string with comma-separated values; each value may use `{{params}}`" });

const RendererName = z
  .string()
  .refine((v) => (RENDERER_NAMES as readonly string[]).includes(v.toLowerCase()), { message: `One of ${RENDERER_NAMES.join(", ")}` })
  .openapi({ description: "mustache (alias handlebar, handlebars) or gc (alias notify)", example: "mustache" });

const TemplateRef = z.object({ templateId: z.uuid() }).strict();

const ServiceNameRef = z.string().min(1).max(64);

/**
 * An email attachment: inline (`{filename, content, contentType}`), or a reference to one of the
 * tenant's attachment services (`{service, params?, filename?}`) whose document is rendered at
 * delivery time. One object schema, so a mistake in either form is reported at its field.
 */
/** `templateId` and its alias `template.templateId` in one content object: one or the other. */
const oneTemplateReference = (c: { templateId?: string; template?: { templateId: string } }) => c.templateId === undefined || c.template === undefined;
const TEMPLATE_REFERENCE_CLASH = { message: "Give templateId or template.templateId, not both", path: ["template"] };

export const AttachmentSchema = z
  .object({
    filename: z.string().min(1).max(255).optional().openapi({ example: "myimage.png", description: "Required inline; optional with `service`" }),
    content: z.string().min(1).optional().openapi({ description: "File contents, base64 encoded" }),
    contentType: z.string().max(255).optional().openapi({ example: "image/png" }),
    mimeType: z.string().max(255).optional().openapi({ description: "Alias of contentType" }),
    service: ServiceNameRef.optional().openapi({ description: "Name of an attachment service (/api/v1/service/attachments) that renders the document when the email is delivered", example: "approval-letter" }),
    params: ParamsSchema.optional().openapi({ description: "With `service`: params for this document, over the send's params" }),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.service !== undefined) {
      for (const key of ["content", "contentType", "mimeType"] as const) {
        if (a[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: "Not with service: the attachment service supplies the document" });
      }
      return;
    }
    if (a.params !== undefined) ctx.addIssue({ code: "custom", path: ["params"], message: "Only with service" });
    if (a.filename === undefined) ctx.addIssue({ code: "custom", path: ["filename"], message: "Invalid input: expected string, received undefined" });
    if (a.content === undefined) ctx.addIssue({ code: "custom", path: ["content"], message: "Invalid input: expected string, received undefined" });
    if (a.contentType === undefined && a.mimeType === undefined) ctx.addIssue({ code: "custom", path: ["contentType"], message: "contentType (or mimeType) is required" });
  })
  .openapi("Attachment");

const common = {
  params: SendParamsSchema.optional(),
  delayedSend: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: "ISO 8601 date-time in the future; no zone means UTC", example: "2027-06-25T15:15:00" }),
  correlationId: displayNameSchema(128).optional().openapi({ description: "Your reference; searchable. Defaults to the X-Correlation-Id header." }),
  tags: z.array(displayNameSchema(64)).max(20).optional().openapi({ example: ["funding"] }),
  allowDuplicate: z
    .boolean()
    .optional()
    .openapi({ description: "Send even if the same notification (after every default is applied) was accepted within the tenant's duplicate window (300 s unless the tenant sets duplicateWindowSeconds)" }),
};

export const EmailContentSchema = z
  .object({
    subject: z.string().max(998).optional(),
    body: z.string().max(2_000_000).optional(),
    bodyType: z.enum(BODY_TYPES).optional().openapi({ description: "text (default), html or markdown" }),
    renderer: RendererName.optional(),
    encoding: z
      .string()
      .refine((v) => /^utf-?8$/i.test(v), { message: "Only utf-8 is supported" })
      .optional(),
    templateId: z.uuid().optional(),
    template: TemplateRef.optional().openapi({ description: "Alias form of templateId" }),
  })
  .strict()
  .refine(oneTemplateReference, TEMPLATE_REFERENCE_CLASH)
  .openapi("EmailContent");

/** Email recipients as every layer writes them (requests, event types, overrides, augments). */
export const EmailRecipientsSchema = z
  .object({
    to: RecipientList.optional(),
    cc: RecipientList.optional(),
    bcc: RecipientList.optional(),
    subscription: ServiceNameRef.optional().openapi({
      description: "Name of a subscription service (/api/v1/service/subscriptions) asked for more recipients when the send is planned",
      example: "applicants",
    }),
  })
  .strict()
  .openapi("EmailRecipients");

/**
 * A mail merge (the seed's §4): a header row, then one row per message. The schema bounds the
 * shape loosely (blank rows are allowed and skipped); the bound on data rows is checked when the
 * merge is read (merge/merge-array.ts MAX_MERGE_ROWS), so a larger merge gets the 413 naming it.
 */
const MergeArraySchema = z
  .array(z.array(z.string().max(MAX_MERGE_CELL_CHARS, `At most ${MAX_MERGE_CELL_CHARS} characters`)).max(MAX_MERGE_COLUMNS, `At most ${MAX_MERGE_COLUMNS} columns`))
  .min(2, "A header row and at least one data row")
  .max(2 * MAX_MERGE_ROWS + 1, `At most ${MAX_MERGE_ROWS} data rows`)
  .openapi({
    description: "Mail merge: the header row (`to`, or `email address` / `phone number`; `cc` and `bcc` for email; other columns name params), then one row per message. Not with to, cc, bcc or subscription.",
    example: [["to", "firstname"], ["fred@example.com", "Frederic"]],
  });

const mergeFields = {
  mergeArray: MergeArraySchema.optional(),
  skipInvalidRows: z.boolean().optional().openapi({ description: "With mergeArray (or a CSV file): send the valid rows and report the others, instead of refusing the request" }),
};

/** `mergeArray` is one message per row, so the single-message recipient fields cannot join it. */
function mergeExclusive(r: { mergeArray?: unknown; skipInvalidRows?: unknown } & Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (r.mergeArray === undefined) {
    if (r.skipInvalidRows !== undefined) ctx.addIssue({ code: "custom", path: ["skipInvalidRows"], message: "Only with mergeArray (or a CSV file)" });
    return;
  }
  for (const key of ["to", "cc", "bcc", "subscription"]) {
    if (r[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: "Not with mergeArray: a merge gives each row's recipients" });
  }
}

export const EmailSendRecipientsSchema = EmailRecipientsSchema.extend(mergeFields).strict().superRefine(mergeExclusive).openapi("EmailSendRecipients");

export const EmailChannelSchema = z
  .object({
    recipients: EmailSendRecipientsSchema,
    content: EmailContentSchema,
    attachments: z.array(AttachmentSchema).max(10).optional(),
    sender: z
      .object({
        from: z.string().max(320).optional().openapi({ example: "Funding Programs <funding@example.gov>" }),
        replyTo: RecipientList.optional(),
        replyToId: z.uuid().optional().openapi({ description: "One of your reply-to addresses by id (`/api/v1/tenant/reply-to-addresses`), in place of `replyTo`" }),
      })
      .strict()
      .optional(),
    callbacks: CallbackIdsSchema.optional(),
    ...common,
  })
  .strict()
  .openapi("EmailChannel");

export const SmsContentSchema = z
  .object({
    body: z.string().max(10_000).optional(),
    message: z.string().max(10_000).optional().openapi({ description: "Alias of body" }),
    bodyType: z.literal("text").optional().openapi({ description: "Accepted for symmetry; SMS is plain text" }),
    renderer: RendererName.optional(),
    templateId: z.uuid().optional(),
    template: TemplateRef.optional(),
  })
  .strict()
  .refine(oneTemplateReference, TEMPLATE_REFERENCE_CLASH)
  .openapi("SmsContent");

const smsRecipientFields = {
  to: RecipientList.optional(),
  subscription: ServiceNameRef.optional().openapi({ description: "Name of a subscription service asked for more numbers when the send is planned" }),
};

/** SMS recipients as every layer writes them (requests, event types, overrides, augments). */
export const SmsRecipientsSchema = z
  .object(smsRecipientFields)
  .strict()
  .refine((r) => r.to !== undefined || r.subscription !== undefined, { message: "Give to, subscription or both", path: ["to"] })
  .openapi("SmsRecipients");

export const SmsSendRecipientsSchema = z
  .object({ ...smsRecipientFields, ...mergeFields })
  .strict()
  .superRefine(mergeExclusive)
  .refine((r) => r.to !== undefined || r.subscription !== undefined || r.mergeArray !== undefined, { message: "Give to, subscription, both, or mergeArray", path: ["to"] })
  .openapi("SmsSendRecipients");

export const SmsChannelSchema = z
  .object({
    recipients: SmsSendRecipientsSchema,
    content: SmsContentSchema,
    sender: z
      .object({
        senderId: SenderIdSchema.optional(),
        senderIdRef: z.uuid().optional().openapi({ description: "One of your SMS senders by id (`/api/v1/tenant/sms-senders`), in place of `senderId`" }),
      })
      .strict()
      .optional(),
    attachments: z.array(z.unknown()).optional().openapi({ description: "Not supported: an SMS cannot carry files (422)" }),
    callbacks: CallbackIdsSchema.optional(),
    ...common,
  })
  .strict()
  .openapi("SmsChannel");

const TargetRef = z
  .union([z.string().min(1).max(64).openapi({ description: "The name of a target in your tenant defaults" }), ChatTargetSchema])
  .openapi("ChatTargetRef");

export const MsgAppContentSchema = z
  .object({
    body: z.string().max(40_000).optional(),
    card: CardSchema.optional(),
    renderer: RendererName.optional(),
    templateId: z.uuid().optional(),
    template: TemplateRef.optional(),
  })
  .strict()
  .refine(oneTemplateReference, TEMPLATE_REFERENCE_CLASH)
  .openapi("MsgAppContent");

export const MsgAppChannelSchema = z
  .object({
    target: z.union([TargetRef, z.array(TargetRef).min(1).max(20)]).openapi({
      description: "Where to post: a named target from your defaults, or {type, url}; several as an array",
    }),
    content: MsgAppContentSchema,
    attachments: z.array(z.unknown()).optional().openapi({ description: "Not supported on chat targets (422)" }),
    callbacks: CallbackIdsSchema.optional(),
    ...common,
  })
  .strict()
  .openapi("MsgAppChannel");

export const SimpleSendSchema = z
  .object({
    email: EmailChannelSchema.optional(),
    sms: SmsChannelSchema.optional(),
    msgApp: MsgAppChannelSchema.optional(),
    attachments: z.array(AttachmentSchema).max(10).optional().openapi({ description: "Attached to the email channel" }),
    ...common,
  })
  .strict()
  .refine((r) => r.email !== undefined || r.sms !== undefined || r.msgApp !== undefined, {
    message: "Give at least one channel: email, sms or msgApp",
    path: ["email"],
  })
  .openapi("SimpleSend");

export type EmailChannelInput = z.infer<typeof EmailChannelSchema>;
export type SmsChannelInput = z.infer<typeof SmsChannelSchema>;
export type MsgAppChannelInput = z.infer<typeof MsgAppChannelSchema>;
export type SimpleSendInput = z.infer<typeof SimpleSendSchema>;
export type AttachmentInput = z.infer<typeof AttachmentSchema>;

export const PreviewQuerySchema = z.object({
  preview: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "true: answer 200 with exactly what would be sent, and store nothing" }),
  explain: z
    .enum(["true", "false"])
    .optional()
    .openapi({ description: "With preview=true: also answer `resolution`, the layer (system, tenant, event, request, augment) each resolved value came from" }),
  previewRows: z
    .string()
    .regex(/^\d{1,3}$/, "A whole number from 1 to 100")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, "A whole number from 1 to 100")
    .optional()
    .openapi({ type: "string", description: "With preview=true and a mail merge: how many rows' messages to show per channel (default 10, at most 100)", example: "10" }),
});
