import { z } from "@hono/zod-openapi";
import { NOTIFY_TEMPLATE_TYPES } from "../../../services/notify-v2/templates";

/** Python's `UUID()` as Notify's `validate_uuid` format applies it, in the canonical form our ids take. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_VERSION = 2_147_483_647;

/** `{id}` in the path, failing as Notify's `id is not a valid UUID`. */
export const TemplateIdParam = z.string().regex(UUID_PATTERN, "is not a valid UUID").openapi({ param: { name: "id", in: "path" }, example: "0190f3c4-5b6a-7c8d-9e0f-112233445566" });

/**
 * `{version}` in the path: an integer from 1, failing in the words of Notify's schema
 * (`version test is not of type integer, null`, `version 0 is less than the minimum of 1`).
 */
export const TemplateVersionParam = z
  .string()
  .superRefine((value, ctx) => {
    // One message per value, as jsonschema gives one per failed keyword that applies.
    const message = !/^[0-9]+$/.test(value)
      ? `${value} is not of type integer, null`
      : Number(value) < 1
        ? `${value} is less than the minimum of 1`
        : Number(value) > MAX_VERSION
          ? `${value} is greater than the maximum of ${MAX_VERSION}`
          : null;
    if (message) ctx.addIssue({ code: "custom", message });
  })
  .openapi({ param: { name: "version", in: "path" }, example: "1" });

export const NotifyTemplateTypeSchema = z.enum(["sms", "email"]).openapi({ description: "`letter` templates do not exist here" });

/** `TemplateBase.serialize_for_v2`; Notify's own `get_template_by_id_response` describes it. */
export const NotifyTemplateSchema = z
  .object({
    id: z.uuid(),
    type: NotifyTemplateTypeSchema,
    created_at: z.string().openapi({ example: "2026-01-02T03:04:05.678000Z" }),
    updated_at: z.string().nullable().openapi({ description: "Null for version 1; else when this version was made" }),
    created_by: z.string().openapi({ description: "The tenant's name (Notify gives its creator's email address; there are no user accounts here)" }),
    version: z.number().int(),
    body: z.string().openapi({ description: "The template content as written, placeholders unfilled" }),
    subject: z.string().nullable().openapi({ description: "Null for SMS" }),
    name: z.string().openapi({ description: "The name this version was made with (a rename is a new version)" }),
    personalisation: z.record(z.string(), z.object({ required: z.literal(true) })).openapi({ example: { first_name: { required: true } } }),
    postage: z.null(),
    letter_contact_block: z.null(),
  })
  .openapi("NotifyTemplate");

export const NotifyTemplateListSchema = z.object({ templates: z.array(NotifyTemplateSchema) }).openapi("NotifyTemplateList");

export const NotifyTemplatePreviewSchema = z
  .object({
    id: z.uuid(),
    type: NotifyTemplateTypeSchema,
    version: z.number().int(),
    body: z.string().openapi({ description: "The content filled in, as a send renders it" }),
    html: z.string().nullable().openapi({ description: "Email: the HTML part a send carries (null for a plain-text email); SMS: null" }),
    subject: z.string().nullable(),
    postage: z.null(),
  })
  .openapi("NotifyTemplatePreview");

export const NotifyTemplatesQuerySchema = z
  .object({ type: z.enum(NOTIFY_TEMPLATE_TYPES).optional().openapi({ description: "sms, email or letter (none here)" }) })
  .strict();
