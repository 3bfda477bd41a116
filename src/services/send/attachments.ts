import type { FieldError } from "../../lib/errors/api-error";
import { ALLOWED_ATTACHMENT_TYPES, contentProblem, filenameProblem, serviceFilenameProblem } from "./attachment-content";
import type { AttachmentInput } from "./request-schema";

/** Limits on inline attachments (decoded sizes). SES caps a whole message at 40 MB, Postmark at 10 MB. */
export const ATTACHMENT_LIMITS = {
  maxFiles: 10,
  maxFileBytes: 5 * 1024 * 1024,
  maxTotalBytes: 10 * 1024 * 1024,
};

export { ALLOWED_ATTACHMENT_TYPES } from "./attachment-content";

export interface DecodedAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** One list of inline attachments in a request and where it sits (`attachments`, `email.attachments`). */
export interface AttachmentList {
  inputs: AttachmentInput[];
  path: string;
}

// A flat character class (not grouped quads): megabyte-long inputs must not exhaust the regex stack.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Validates and decodes every inline attachment of a request. The lists (top-level `attachments`
 * and the channel's own) are one email's files, so the count and size limits apply to them
 * together. Each file's name and leading bytes are checked against its declared type. Every
 * problem is reported with its path (e.g. `attachments[1].content`) so one answer tells the
 * caller everything to fix.
 *
 * @example
 * ```ts
 * const { attachments, errors } = decodeAttachments([
 *   { inputs: body.attachments ?? [], path: "attachments" },
 *   { inputs: body.email.attachments ?? [], path: "email.attachments" },
 * ]);
 * ```
 */
export function decodeAttachments(lists: AttachmentList[]): { attachments: DecodedAttachment[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const attachments: DecodedAttachment[] = [];
  const given = lists.filter((l) => l.inputs.length > 0);
  const count = given.reduce((n, l) => n + l.inputs.length, 0);
  // Blame the last list given: it is the one that took the email over the limit.
  const blame = given.at(-1)?.path ?? lists[0]?.path ?? "attachments";
  const together = given.length > 1 ? ` (${given.map((l) => l.path).join(" and ")} together)` : "";
  if (count > ATTACHMENT_LIMITS.maxFiles) {
    errors.push({ path: blame, message: `${count} attachments${together}; an email may have at most ${ATTACHMENT_LIMITS.maxFiles}` });
  }
  let total = 0;
  for (const { inputs, path } of lists) {
    inputs.forEach((input, i) => {
      // An attachment-service reference counts towards the limits; its document comes at delivery
      // (serviceAttachmentEntries). A name given for it is checked now, as far as it can be before
      // the type is known, so a send is refused rather than failing at delivery.
      if (input.service !== undefined) {
        const problem = input.filename !== undefined ? serviceFilenameProblem(input.filename) : null;
        if (problem) errors.push({ path: `${path}[${i}].filename`, message: problem });
        return;
      }
      const decoded = decodeOne(input as InlineAttachmentInput, `${path}[${i}]`, errors);
      if (!decoded) return;
      total += decoded.content.byteLength;
      attachments.push(decoded);
    });
  }
  if (total > ATTACHMENT_LIMITS.maxTotalBytes) {
    errors.push({ path: blame, message: `${total} bytes${together}; attachments may total at most ${ATTACHMENT_LIMITS.maxTotalBytes} bytes` });
  }
  return { attachments, errors };
}

/** An inline attachment: the schema guarantees filename and content when there is no `service`. */
type InlineAttachmentInput = AttachmentInput & { filename: string; content: string };

function decodeOne(input: InlineAttachmentInput, at: string, errors: FieldError[]): DecodedAttachment | null {
  const contentType = (input.contentType ?? input.mimeType ?? "").split(";")[0]!.trim().toLowerCase();
  const typeField = input.contentType !== undefined ? "contentType" : "mimeType";
  const allowed = ALLOWED_ATTACHMENT_TYPES.has(contentType);
  if (!allowed) {
    errors.push({ path: `${at}.${typeField}`, message: `Type ${contentType || "(none)"} is not allowed; allowed: ${[...ALLOWED_ATTACHMENT_TYPES].join(", ")}` });
  }
  const nameProblem = filenameProblem(contentType, input.filename);
  if (nameProblem) errors.push({ path: `${at}.filename`, message: nameProblem });
  const compact = input.content.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !BASE64_CHARS.test(compact)) {
    errors.push({ path: `${at}.content`, message: "Not valid base64" });
    return null;
  }
  const size = (compact.length / 4) * 3 - (compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0);
  if (size === 0) {
    errors.push({ path: `${at}.content`, message: "The file is empty" });
    return null;
  }
  if (size > ATTACHMENT_LIMITS.maxFileBytes) {
    errors.push({ path: `${at}.content`, message: `${size} bytes; each file may be at most ${ATTACHMENT_LIMITS.maxFileBytes} bytes` });
    return null;
  }
  const content = decodeBase64(compact);
  const problem = contentProblem(contentType, content);
  if (problem) errors.push({ path: `${at}.content`, message: problem });
  return problem || nameProblem || !allowed ? null : { filename: input.filename, contentType, content };
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The attachment-service references among a request's attachment lists, each with its path
 * (`attachments[2]`), in list order: the email plans them with planServiceAttachment.
 */
export function serviceAttachmentEntries(lists: AttachmentList[]): { entry: { service: string; params?: Record<string, unknown>; filename?: string }; path: string }[] {
  return lists.flatMap(({ inputs, path }) =>
    inputs.flatMap((input, i) =>
      input.service !== undefined ? [{ entry: { service: input.service, ...(input.params ? { params: input.params } : {}), ...(input.filename !== undefined ? { filename: input.filename } : {}) }, path: `${path}[${i}]` }] : [],
    ),
  );
}

/** R2 key of a stored attachment: under the tenant, so a tenant's files can be listed or purged together. */
export function attachmentKey(tenantId: string, notificationId: string, index: number, filename: string): string {
  return `tenants/${tenantId}/attachments/${notificationId}/${index}-${encodeURIComponent(filename)}`;
}
