import { z } from "@hono/zod-openapi";
import { SERVICE_KINDS, type ServiceKind } from "../../db/schema/tenant-services";
import { KIND_SEGMENT, SERVICE_LIMITS } from "../../services/tenant-services/config";
import { REQUEST_MAPPING_LIMITS } from "../../services/tenant-services/mapping";
import { RESPONSE_PATH_LIMITS } from "../../services/tenant-services/response-path";

export { SERVICE_KINDS, type ServiceKind };

/**
 * Headers the call itself sets, that would change how it travels, or that claim to say where it
 * came from (a receiver trusting X-Forwarded-For or CF-Connecting-IP must not be told a tenant's
 * story).
 */
const RESERVED_HEADERS = new Set([
  "host", "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "accept", "accept-encoding", "upgrade",
  "te", "trailer", "keep-alive", "expect", "cookie", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip",
  "true-client-ip", "via", "origin", "referer",
]);

const ServiceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "1–64 letters, digits, '_', '-' or '.', starting with a letter or digit")
  .openapi({ description: "Unique per tenant and kind; sends refer to the service by it", example: "applicants" });

const AuthHeader = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "An HTTP header name (1–64 token characters)")
      .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()) && !/^(proxy-|cf-|sec-)/i.test(n), { message: "This header is set by the call itself or by the network" })
      .openapi({ example: "Authorization" }),
    value: z
      .string()
      .min(1)
      .max(4096)
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: "Must not contain control characters or line breaks" })
      .openapi({ description: "A secret: stored encrypted, never answered", example: "Bearer s3cr3t" }),
  })
  .strict()
  .openapi("ServiceAuthHeader", { description: "Sent with every call. Reads answer `{name, set: true}` only." });

const RequestMapping = z
  .union([
    z
      .record(z.string().min(1).max(REQUEST_MAPPING_LIMITS.maxKeyChars), z.string().max(REQUEST_MAPPING_LIMITS.maxValueChars))
      .refine((m) => Object.keys(m).length <= REQUEST_MAPPING_LIMITS.maxEntries, { message: `At most ${REQUEST_MAPPING_LIMITS.maxEntries} entries` }),
    z.array(z.string().min(1).max(REQUEST_MAPPING_LIMITS.maxKeyChars)).max(REQUEST_MAPPING_LIMITS.maxEntries),
  ])
  .openapi("ServiceRequestMapping", {
    description:
      "How the notification's params become the service's `params`. Absent: all params. A list of names: those params only. " +
      "An object: each value is a mustache string rendered with the params; a value that is exactly one placeholder (`\"{{applicationId}}\"`) passes the param unchanged (numbers stay numbers).",
    example: { applicantId: "{{applicationId}}" },
  });

const ResponsePath = z.string().min(1).max(RESPONSE_PATH_LIMITS.maxChars).openapi({ example: "recipients[].email" });

const ResponseMapping = z
  .object({
    email: z.union([ResponsePath, z.object({ to: ResponsePath.optional(), cc: ResponsePath.optional(), bcc: ResponsePath.optional() }).strict()]).optional(),
    sms: ResponsePath.optional(),
  })
  .strict()
  .openapi("SubscriptionResponseMapping", {
    description:
      "Where the answer lists recipients, per channel: a path of names separated by dots, `[]` after a name meaning each element of that array " +
      "(`recipients[].email`), a bare `[]` first for an answer that is an array. For email, a path (to) or `{to, cc, bcc}` paths.",
    example: { email: "recipients[].email", sms: "recipients[].phone" },
  });

const Timeout = z
  .number()
  .int()
  .min(SERVICE_LIMITS.minTimeoutMs)
  .max(SERVICE_LIMITS.maxTimeoutMs)
  .openapi({ description: `Milliseconds a call may take, answer included (default ${SERVICE_LIMITS.defaultTimeoutMs})`, example: 5000 });

const Filename = z.string().min(1).max(255).openapi({ description: "File name when neither the send nor the answer's Content-Disposition gives one", example: "letter.pdf" });

const base = {
  name: ServiceName,
  url: z.string().min(1).max(2048).openapi({ description: "https URL, checked by the outbound-URL policy", example: "https://subscriptions.example.gov/notify/recipients" }),
  authHeader: AuthHeader.optional(),
  timeoutMs: Timeout.optional(),
  requestMapping: RequestMapping.optional(),
};

const nothingToChange = (patch: object) => Object.keys(patch).length > 0;

export const CreateSchemas = {
  subscription: z.object({ ...base, responseMapping: ResponseMapping }).strict().openapi("CreateSubscriptionService"),
  attachment: z.object({ ...base, filename: Filename.optional() }).strict().openapi("CreateAttachmentService"),
} as const;

const patchBase = {
  name: ServiceName.optional(),
  url: base.url.optional(),
  authHeader: AuthHeader.nullable().optional(),
  timeoutMs: Timeout.nullable().optional(),
  requestMapping: RequestMapping.nullable().optional(),
};

export const UpdateSchemas = {
  subscription: z
    .object({ ...patchBase, responseMapping: ResponseMapping.optional() })
    .strict()
    .refine(nothingToChange, { message: "Nothing to change: give at least one field" })
    .openapi("UpdateSubscriptionService"),
  attachment: z
    .object({ ...patchBase, filename: Filename.nullable().optional() })
    .strict()
    .refine(nothingToChange, { message: "Nothing to change: give at least one field" })
    .openapi("UpdateAttachmentService"),
} as const;

const viewBase = {
  id: z.uuid(),
  kind: z.enum(SERVICE_KINDS),
  name: z.string(),
  url: z.string(),
  authHeader: z.object({ name: z.string(), set: z.literal(true) }).nullable().openapi({ description: "The header's name; its value is never answered" }),
  timeoutMs: z.number().int(),
  requestMapping: RequestMapping.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export const ViewSchemas = {
  subscription: z.object({ ...viewBase, responseMapping: ResponseMapping.nullable() }).openapi("SubscriptionService"),
  attachment: z.object({ ...viewBase, filename: z.string().nullable() }).openapi("AttachmentService"),
} as const;

export const ServiceIdParamSchema = z.object({
  serviceId: z.uuid().openapi({ param: { name: "serviceId", in: "path" } }),
});

/** `/api/v1/service/subscriptions` or `/api/v1/service/attachments`. */
export function collectionPath(kind: ServiceKind): string {
  return `/api/v1/service/${KIND_SEGMENT[kind]}`;
}

export const TAG: Record<ServiceKind, string> = { subscription: "Subscription services", attachment: "Attachment services" };
