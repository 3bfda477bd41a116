import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { POSTAGE_VALUES } from "./notify-template-schemas";

/**
 * GOV.UK Notify's published JSON schemas for its notification and received-text responses,
 * transcribed (facts only) from alphagov/notifications-api: `app/v2/notifications/notification_schemas.py`
 * (template, get_notification_response, get_notifications_response, post_sms_response,
 * post_email_response, sms_content, email_content), `app/v2/inbound_sms/inbound_sms_schemas.py`
 * (get_inbound_sms_single_response, get_inbound_sms_response) and
 * `app/schema_validation/definitions.py::uuid`. The template responses' schemas are in
 * notify-template-schemas.ts; `schemaErrors` validates against any of them with Notify's formats.
 *
 * Nested `$schema`/`title`/`description` keys of the sub-schemas are left out (Ajv accepts
 * `$schema` at the root only); `get_notifications_response` points at the notification schema
 * through `definitions`, as Notify's does.
 */

const uuid = { type: "string", format: "validate_uuid", validationMessage: "is not a valid UUID" };

const template = {
  type: "object",
  properties: { id: uuid, version: { type: "integer" }, uri: { type: "string", format: "uri" } },
  required: ["id", "version", "uri"],
};

const nullableString = { type: ["string", "null"] };

export const getNotificationResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "GET notification response schema",
  type: "object",
  title: "response v2/notification",
  properties: {
    id: uuid,
    reference: nullableString,
    email_address: nullableString,
    phone_number: nullableString,
    line_1: nullableString,
    line_2: nullableString,
    line_3: nullableString,
    line_4: nullableString,
    line_5: nullableString,
    line_6: nullableString,
    postcode: nullableString,
    type: { enum: ["sms", "letter", "email"] },
    status: { type: "string" },
    template,
    body: { type: "string" },
    subject: nullableString,
    created_at: { type: "string" },
    sent_at: nullableString,
    completed_at: nullableString,
    scheduled_for: nullableString,
  },
  required: ["id", "reference", "email_address", "phone_number", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode", "type", "status", "template", "body", "created_at", "sent_at", "completed_at"],
} as const;

const links = {
  type: "object",
  properties: { current: { type: "string" }, next: { type: "string" } },
  additionalProperties: false,
  required: ["current"],
};

export const getNotificationsResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "GET list of notifications response schema",
  type: "object",
  properties: {
    notifications: { type: "array", items: { type: "object", $ref: "#/definitions/notification" } },
    links,
  },
  additionalProperties: false,
  required: ["notifications", "links"],
  definitions: { notification: { ...getNotificationResponse, $schema: undefined } },
} as const;

export const postSmsResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "POST sms notification response schema",
  type: "object",
  title: "response v2/notifications/sms",
  properties: {
    id: uuid,
    reference: nullableString,
    content: { type: "object", properties: { body: { type: "string" }, from_number: { type: "string" } }, required: ["body", "from_number"] },
    uri: { type: "string", format: "uri" },
    template,
    scheduled_for: nullableString,
  },
  required: ["id", "content", "uri", "template"],
} as const;

export const postEmailResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "POST email notification response schema",
  type: "object",
  title: "response v2/notifications/email",
  properties: {
    id: uuid,
    reference: nullableString,
    content: {
      type: "object",
      properties: { from_email: { type: "string", format: "email_address" }, body: { type: "string" }, subject: { type: "string" } },
      required: ["body", "from_email", "subject"],
    },
    uri: { type: "string", format: "uri" },
    template,
    scheduled_for: nullableString,
  },
  required: ["id", "content", "uri", "template"],
} as const;

const inboundSms = {
  type: "object",
  properties: {
    user_number: { type: "string" },
    created_at: { format: "date-time", type: "string", description: "Date+time created at" },
    service_id: uuid,
    id: uuid,
    notify_number: { type: "string" },
    content: { type: "string" },
  },
  required: ["id", "user_number", "created_at", "service_id", "notify_number", "content"],
  additionalProperties: false,
};

export const getInboundSmsResponse = {
  $schema: "http://json-schema.org/draft-07/schema#",
  description: "GET list of inbound sms response schema",
  type: "object",
  properties: {
    received_text_messages: { type: "array", items: { type: "object", $ref: "#/definitions/inbound_sms" } },
    links,
  },
  required: ["received_text_messages", "links"],
  definitions: { inbound_sms: inboundSms },
  additionalProperties: false,
} as const;

/**
 * An Ajv with Notify's custom formats: `validate_uuid` (Notify accepts hyphens optional, any case),
 * `postage`, and `email_address` (an approximation of notifications-utils' validate_email_address:
 * one @, a dotted domain, no spaces).
 */
export function notifyAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(["validationMessage"]);
  ajv.addFormat("validate_uuid", /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i);
  ajv.addFormat("postage", (v: string) => POSTAGE_VALUES.includes(v));
  ajv.addFormat("email_address", /^[^\s@]+@[^\s@]+\.[^\s@.]+$/);
  return ajv;
}

const shared = notifyAjv();
const compiled = new WeakMap<object, ReturnType<Ajv["compile"]>>();

/**
 * Every way `value` breaks one of Notify's schemas (empty when it conforms), for `toEqual([])`.
 *
 * @example
 * ```ts
 * expect(schemaErrors(postSmsResponse, await res.json())).toEqual([]);
 * ```
 */
export function schemaErrors(schema: object, value: unknown): ErrorObject[] {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = shared.compile(JSON.parse(JSON.stringify(schema)))));
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
