import { z } from "@hono/zod-openapi";
import { BODY_TYPES, CHANNELS } from "../../db/schema";
import { RENDERER_NAMES, toRenderer } from "../../services/render/renderer";
import { CardSchema } from "../../services/content/json-schemas";
import { displayNameSchema } from "../../lib/display-name";

export const ChannelSchema = z.enum(CHANNELS).openapi({ example: "email" });

export const RendererNameSchema = z
  .string()
  .refine((v) => (RENDERER_NAMES as readonly string[]).includes(v.toLowerCase()), {
    message: `One of ${RENDERER_NAMES.join(", ")}`,
  })
  .openapi({
    description: "`mustache` (also `handlebar`/`handlebars`): `{{name}}`; `gc` (also `notify`): GOV.UK Notify style `((name))` and `((name??text))`",
    example: "mustache",
  });

const contentFields = {
  subject: z.string().max(998).optional().openapi({ example: "{{subject}}" }),
  body: z.string().max(2_000_000).optional().openapi({ example: "This is an example of {{body-part}}" }),
  message: z.string().max(2_000_000).optional().openapi({ description: "Alias of body (SMS templates in the seed use it)" }),
  bodyType: z.enum(BODY_TYPES).optional().openapi({ description: "Email only; default text" }),
  renderer: RendererNameSchema.optional(),
  card: CardSchema.optional(),
};

export const CreateTemplateSchema = z
  .object({ name: displayNameSchema(200).openapi({ example: "Sample template" }), channel: ChannelSchema, ...contentFields })
  .strict()
  .openapi("CreateTemplate");

export const UpdateTemplateSchema = z
  .object({
    name: displayNameSchema(200).optional(),
    subject: contentFields.subject.nullable(),
    body: contentFields.body.nullable(),
    message: contentFields.message,
    bodyType: contentFields.bodyType.nullable(),
    renderer: contentFields.renderer,
    card: contentFields.card.nullable(),
  })
  .strict()
  // `{}` is a client bug, not an edit; a patch that repeats the current values answers 200 unchanged.
  .refine((patch) => Object.keys(patch).length > 0, { message: "Nothing to change: give at least one field" })
  .openapi("UpdateTemplate", { description: "At least one field. A patch whose values equal the current version writes no new version and answers the current one." });

export const TemplateSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    channel: ChannelSchema,
    version: z.number().int(),
    subject: z.string().nullable(),
    body: z.string().nullable(),
    bodyType: z.enum(BODY_TYPES).nullable(),
    renderer: z.enum(["mustache", "gc"]),
    card: CardSchema.nullable(),
    params: z.array(z.string()).openapi({ description: "Parameters a send must supply" }),
    sms: z
      .object({ length: z.number().int(), fragments: z.number().int(), encoding: z.enum(["GSM-7", "UCS-2"]) })
      .optional()
      .openapi({ description: "SMS only: length and fragment count of the body as written" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Template");

export const TemplateIdParamSchema = z.object({
  templateId: z.uuid().openapi({ param: { name: "templateId", in: "path" } }),
});

export const TemplatePreviewSchema = z
  .object({
    templateId: z.uuid(),
    version: z.number().int(),
    channel: ChannelSchema,
    subject: z.string().optional(),
    body: z.string().optional(),
    bodyType: z.string().optional(),
    html: z.string().optional(),
    text: z.string().optional(),
    length: z.number().int().optional(),
    fragments: z.number().int().optional(),
    encoding: z.string().optional(),
    card: z.unknown().optional(),
  })
  .openapi("TemplatePreview");

/** Accepts the `message` alias for `body` and maps renderer names to engines. */
export function normaliseTemplateContent<T extends { body?: string | null; message?: string; renderer?: string }>(input: T) {
  const { message, renderer, ...rest } = input;
  return {
    ...rest,
    body: rest.body !== undefined ? rest.body : message,
    ...(renderer !== undefined ? { renderer: toRenderer(renderer) } : {}),
  };
}
