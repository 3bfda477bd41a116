import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type EmailFileRow, emailFiles, tenants } from "../../db/schema";
import { sha256Hex, timingSafeEqualString } from "../../lib/crypto/hash";
import { isUuid } from "../../lib/ids";
import { confirmHash } from "./plan";

/** A link's secret as made (email-files/plan.ts): 32 random bytes in base64url, 43 characters. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type OpenedEmailFile = { kind: "ok"; file: EmailFileRow; tenantName: string } | { kind: "not_found" } | { kind: "expired" };

/**
 * The file a download link names, if its key is the link's secret: an unknown id and a wrong key
 * are the same answer (not_found), so the id alone (another tenant's, or a guessed one) tells
 * nothing. A file past its retention period is `expired` until the cron deletes it (then
 * not_found). The key is compared by its SHA-256 in constant time and is never logged.
 *
 * @example
 * ```ts
 * const opened = await openEmailFile(db, fileId, c.req.query("key"), new Date());
 * if (opened.kind === "ok") … opened.file.confirmEmailHash …
 * ```
 */
export async function openEmailFile(db: Db, id: string, key: string | undefined, now: Date): Promise<OpenedEmailFile> {
  if (!isUuid(id) || key === undefined || !KEY_PATTERN.test(key)) return { kind: "not_found" };
  const [found] = await db
    .select({ file: emailFiles, tenantName: tenants.name })
    .from(emailFiles)
    .innerJoin(tenants, eq(tenants.id, emailFiles.tenantId))
    .where(eq(emailFiles.id, id.toLowerCase()));
  if (!found || !timingSafeEqualString(await sha256Hex(key), found.file.secretHash)) return { kind: "not_found" };
  if (found.file.expiresAt.getTime() <= now.getTime()) return { kind: "expired" };
  return { kind: "ok", file: found.file, tenantName: found.tenantName };
}

/**
 * Whether `address` is one the file's email went to (case and surrounding space aside). Every
 * stored hash is compared, each in constant time, so the answer's timing does not say which matched.
 */
export async function addressConfirms(file: Pick<EmailFileRow, "id" | "confirmEmailHash">, address: string): Promise<boolean> {
  if (file.confirmEmailHash === null) return true;
  if (address.trim() === "") return false;
  const candidate = await confirmHash(file.id, address);
  let match = false;
  for (const stored of file.confirmEmailHash.split(" ")) match = timingSafeEqualString(candidate, stored) || match;
  return match;
}

/**
 * Wrong addresses a file's download page takes before it locks for the rest of the file's
 * retention. Our number (the Notify research gives none): it leaves room for typos by the
 * recipients of a shared email while making a guess of the address hopeless.
 */
export const EMAIL_FILE_CONFIRM_LIMIT = 10;

/** Whether the file takes no more confirmations (even the right address): too many were wrong. */
export function confirmLocked(file: Pick<EmailFileRow, "confirmEmailHash" | "confirmFailures">): boolean {
  return file.confirmEmailHash !== null && file.confirmFailures >= EMAIL_FILE_CONFIRM_LIMIT;
}

export type Confirmation = "confirmed" | "wrong" | "locked";

/**
 * Checks the address typed on a file's download page against the limit on wrong ones. A locked
 * file refuses every address, the right one too. A wrong address is counted by one guarded UPDATE
 * (increment only while under the limit, in the same statement), so concurrent wrong guesses
 * cannot take the count past the limit; the guess that reaches it is already answered `locked`.
 * A right address does not reset the count: the limit is on the file's lifetime of wrong ones,
 * and a confirmed download writes nothing.
 *
 * @example
 * ```ts
 * const outcome = await confirmDownload(db, opened.file, form.email ?? "");
 * if (outcome === "locked") … 429 page …
 * ```
 */
export async function confirmDownload(db: Db, file: EmailFileRow, address: string): Promise<Confirmation> {
  if (file.confirmEmailHash === null) return "confirmed";
  if (confirmLocked(file)) return "locked";
  if (await addressConfirms(file, address)) return "confirmed";
  const [counted] = await db
    .update(emailFiles)
    .set({ confirmFailures: sql`${emailFiles.confirmFailures} + 1` })
    .where(and(eq(emailFiles.id, file.id), lt(emailFiles.confirmFailures, EMAIL_FILE_CONFIRM_LIMIT)))
    .returning({ failures: emailFiles.confirmFailures });
  // No row: another request reached the limit after this one read the file.
  return counted === undefined || counted.failures >= EMAIL_FILE_CONFIRM_LIMIT ? "locked" : "wrong";
}

/** RFC 8187 `filename*` value: UTF-8, percent-encoded beyond the attr-chars. */
function extValue(filename: string): string {
  return `UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * `Content-Disposition` of a download: always an attachment (never shown inline, so a file cannot
 * run as a page of this origin), an ASCII fallback name for old clients, and the real name as
 * RFC 6266 `filename*`.
 *
 * @example
 * ```ts
 * contentDisposition("résumé.pdf") // `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`
 * ```
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${fallback}"; filename*=${extValue(filename)}`;
}

/** Types served with a charset: the text ones (validated as UTF-8 when sent). */
const TEXT_TYPES = new Set(["text/csv", "text/plain", "application/json"]);

/**
 * The file itself as a download, or null when its object is gone from R2. Headers keep it a
 * download: attachment, the stored type with nosniff, never cached or referred, sandboxed.
 */
export async function emailFileResponse(bucket: R2Bucket, file: EmailFileRow): Promise<Response | null> {
  const object = await bucket.get(file.objectKey);
  if (!object) return null;
  return new Response(object.body, {
    status: 200,
    headers: {
      "Content-Type": TEXT_TYPES.has(file.contentType) ? `${file.contentType}; charset=utf-8` : file.contentType,
      "Content-Disposition": contentDisposition(file.filename ?? `file-${file.id.slice(-12)}`),
      "Content-Length": String(object.size),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "X-Robots-Tag": "noindex, nofollow",
    },
  });
}
