/**
 * Facts of Notify's published response schemas (alphagov/notifications-api
 * `app/v2/notifications/notification_schemas.py`: post_sms_response, post_email_response,
 * get_notification_response, get_notifications_response), transcribed as checks: required keys,
 * and the type each key may have.
 */
type Kind = "string" | "string|null" | "integer" | "object" | "uuid" | "uri" | "boolean" | "number|null" | "null" | "array";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function check(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "string|null":
      return value === null || typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "uuid":
      return typeof value === "string" && UUID.test(value);
    case "uri":
      return typeof value === "string" && /^https?:\/\/\S+$/.test(value);
    case "boolean":
      return typeof value === "boolean";
    case "number|null":
      return value === null || typeof value === "number";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
  }
}

interface Shape {
  required: string[];
  properties: Record<string, Kind>;
  nested?: Record<string, Shape>;
}

const template: Shape = { required: ["id", "version", "uri"], properties: { id: "uuid", version: "integer", uri: "uri" } };

export const POST_SMS_RESPONSE: Shape = {
  required: ["id", "content", "uri", "template"],
  properties: { id: "uuid", reference: "string|null", content: "object", uri: "uri", template: "object", scheduled_for: "string|null" },
  nested: { template, content: { required: ["body", "from_number"], properties: { body: "string", from_number: "string" } } },
};

export const POST_EMAIL_RESPONSE: Shape = {
  required: ["id", "content", "uri", "template"],
  properties: { id: "uuid", reference: "string|null", content: "object", uri: "uri", template: "object", scheduled_for: "string|null", sanitised_content: "object" },
  nested: {
    template,
    content: { required: ["body", "from_email", "subject"], properties: { from_email: "string", body: "string", subject: "string", one_click_unsubscribe_url: "string|null" } },
  },
};

export const GET_NOTIFICATION_RESPONSE: Shape = {
  required: ["id", "reference", "email_address", "phone_number", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode", "type", "status", "template", "body", "created_at", "sent_at", "completed_at"],
  properties: {
    id: "uuid",
    reference: "string|null",
    email_address: "string|null",
    phone_number: "string|null",
    line_1: "string|null",
    line_2: "string|null",
    line_3: "string|null",
    line_4: "string|null",
    line_5: "string|null",
    line_6: "string|null",
    postcode: "string|null",
    status: "string",
    template: "object",
    body: "string",
    subject: "string|null",
    created_at: "string",
    sent_at: "string|null",
    completed_at: "string|null",
    scheduled_for: "string|null",
  },
  nested: { template },
};

/** Every way `value` breaks `shape` (empty when it conforms). */
export function violations(shape: Shape, value: unknown, at = ""): string[] {
  if (typeof value !== "object" || value === null) return [`${at || "(root)"} is not an object`];
  const obj = value as Record<string, unknown>;
  const out: string[] = [];
  for (const key of shape.required) if (!(key in obj)) out.push(`${at}${key} is required`);
  for (const [key, kind] of Object.entries(shape.properties)) {
    if (key in obj && !check(kind, obj[key])) out.push(`${at}${key} is not ${kind}: ${JSON.stringify(obj[key])}`);
  }
  if ("type" in obj && shape === GET_NOTIFICATION_RESPONSE && !["sms", "letter", "email"].includes(obj.type as string)) out.push(`${at}type is not one of sms, letter, email`);
  for (const [key, inner] of Object.entries(shape.nested ?? {})) if (key in obj) out.push(...violations(inner, obj[key], `${at}${key}.`));
  return out;
}
