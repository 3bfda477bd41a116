import type { FieldError } from "../../lib/errors/api-error";
import type { AttachmentInput } from "./request-schema";

/** Limits on inline attachments (decoded sizes). SES caps a whole message at 40 MB, Postmark at 10 MB. */
export const ATTACHMENT_LIMITS = {
  maxFiles: 10,
  maxFileBytes: 5 * 1024 * 1024,
  maxTotalBytes: 10 * 1024 * 1024,
};

/**
 * Types a tenant may attach: documents, images and data files. Executables and archives are left
 * out on purpose (they are how malware travels and most providers reject them anyway).
 */
export const ALLOWED_ATTACHMENT_TYPES: ReadonlySet<string> = new Set([
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/gif",
  "text/plain",
  "text/csv",
  "text/calendar",
  "application/json",
  "application/rtf",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
]);

export interface DecodedAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

// A flat character class (not grouped quads): megabyte-long inputs must not exhaust the regex stack.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const UNSAFE_FILENAME = /[/\\\p{Cc}]|^\.|\.\.|^\s|\s$/u;

/**
 * Validates and decodes inline attachments. Every problem is reported with its path (e.g.
 * `attachments[1].content`) so one answer tells the caller everything to fix.
 *
 * @example
 * ```ts
 * const { attachments, errors } = decodeAttachments(body.attachments ?? [], "attachments");
 * ```
 */
export function decodeAttachments(inputs: AttachmentInput[], path: string): { attachments: DecodedAttachment[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const attachments: DecodedAttachment[] = [];
  if (inputs.length > ATTACHMENT_LIMITS.maxFiles) {
    errors.push({ path, message: `At most ${ATTACHMENT_LIMITS.maxFiles} attachments` });
  }
  let total = 0;
  inputs.forEach((input, i) => {
    const at = `${path}[${i}]`;
    const contentType = (input.contentType ?? input.mimeType ?? "").split(";")[0]!.trim().toLowerCase();
    if (!ALLOWED_ATTACHMENT_TYPES.has(contentType)) {
      errors.push({ path: `${at}.contentType`, message: `Type ${contentType || "(none)"} is not allowed; allowed: ${[...ALLOWED_ATTACHMENT_TYPES].join(", ")}` });
    }
    if (UNSAFE_FILENAME.test(input.filename)) {
      errors.push({ path: `${at}.filename`, message: "Must be a plain file name (no path separators, control characters or leading dot)" });
    }
    const compact = input.content.replace(/\s+/g, "");
    if (compact.length % 4 !== 0 || !BASE64_CHARS.test(compact)) {
      errors.push({ path: `${at}.content`, message: "Not valid base64" });
      return;
    }
    const size = (compact.length / 4) * 3 - (compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0);
    if (size === 0) {
      errors.push({ path: `${at}.content`, message: "The file is empty" });
      return;
    }
    if (size > ATTACHMENT_LIMITS.maxFileBytes) {
      errors.push({ path: `${at}.content`, message: `${size} bytes; each file may be at most ${ATTACHMENT_LIMITS.maxFileBytes} bytes` });
      return;
    }
    total += size;
    attachments.push({ filename: input.filename, contentType, content: decodeBase64(compact) });
  });
  if (total > ATTACHMENT_LIMITS.maxTotalBytes) {
    errors.push({ path, message: `${total} bytes in all; attachments may total at most ${ATTACHMENT_LIMITS.maxTotalBytes} bytes` });
  }
  return { attachments, errors };
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** R2 key of a stored attachment: under the tenant, so a tenant's files can be listed or purged together. */
export function attachmentKey(tenantId: string, notificationId: string, index: number, filename: string): string {
  return `tenants/${tenantId}/attachments/${notificationId}/${index}-${encodeURIComponent(filename)}`;
}
