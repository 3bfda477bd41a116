/**
 * GOV.UK Notify's published JSON schemas for its template responses, transcribed (facts only)
 * from alphagov/notifications-api: `app/v2/template/template_schemas.py`
 * (get_template_by_id_response, post_template_preview_response) and
 * `app/v2/templates/templates_schemas.py` (get_all_template_response), with
 * `app/schema_validation/definitions.py::uuid` and TEMPLATE_TYPES = [sms, email, letter].
 *
 * One deliberate difference: the published schemas give `postage` as `{"type": "string"}`, yet
 * Notify's own GET and preview answer `"postage": null` for SMS and email templates
 * (tests/app/v2/template/test_get_template.py expects it; the schemas are never applied to
 * responses there). Null is allowed here so that Notify's real answers validate too.
 */

const TEMPLATE_TYPES = ["sms", "email", "letter"];

const uuid = { type: "string", format: "validate_uuid", validationMessage: "is not a valid UUID" };
const postage = { type: ["string", "null"], format: "postage" };

export const getTemplateByIdResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "GET template by id schema response",
  type: "object",
  title: "reponse v2/template",
  properties: {
    id: uuid,
    type: { enum: TEMPLATE_TYPES },
    created_at: { format: "date-time", type: "string", description: "Date+time created" },
    updated_at: { format: "date-time", type: ["string", "null"], description: "Date+time updated" },
    created_by: { type: "string" },
    version: { type: "integer" },
    body: { type: "string" },
    subject: { type: ["string", "null"] },
    name: { type: "string" },
    postage,
  },
  required: ["id", "type", "created_at", "updated_at", "version", "created_by", "body", "name"],
} as const;

export const postTemplatePreviewResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "POST template preview schema response",
  type: "object",
  title: "reponse v2/template/{id}/preview",
  properties: {
    id: uuid,
    type: { enum: TEMPLATE_TYPES },
    version: { type: "integer" },
    body: { type: "string" },
    subject: { type: ["string", "null"] },
    postage,
    html: { type: ["string", "null"] },
  },
  required: ["id", "type", "version", "body"],
  additionalProperties: false,
} as const;

export const getAllTemplateResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "GET response schema when getting all templates",
  type: "object",
  properties: { templates: { type: "array", items: { type: "object", $ref: "#/definitions/template" } } },
  required: ["templates"],
  definitions: { template: getTemplateByIdResponse },
} as const;

/** Notify's `postage` format (`app/schema_validation/__init__.py::validate_schema_postage`). */
export const POSTAGE_VALUES = ["first", "second", "economy"];
