import type { EmailFileRow } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto/hash";
import type { PlannedEmailFile } from "./plan";

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** R2 key of a file sent by email: under the tenant, so a tenant's objects can be listed or purged together. */
export function emailFileKey(tenantId: string, fileId: string): string {
  return `tenants/${tenantId}/email-files/${fileId}`;
}

/**
 * Puts a send's files in R2 and answers their rows, for the caller to insert in the same D1
 * batch as the notification (the rows reference it). The caller deletes `keys` if that batch fails.
 *
 * @example
 * ```ts
 * const { rows, keys } = await putEmailFiles(env.BUCKET, tenant.id, notifyId, plan.emailFiles, now);
 * ```
 */
export async function putEmailFiles(bucket: R2Bucket, tenantId: string, notificationId: string, files: PlannedEmailFile[], now: Date): Promise<{ rows: EmailFileRow[]; keys: string[] }> {
  const keys = files.map((f) => emailFileKey(tenantId, f.id));
  const rows: EmailFileRow[] = await Promise.all(
    files.map(async (f, i) => ({
      id: f.id,
      tenantId,
      notificationId,
      objectKey: keys[i]!,
      filename: f.filename,
      contentType: f.contentType,
      size: f.content.byteLength,
      secretHash: await sha256Hex(f.secret),
      // Several recipients may confirm: their hashes, space-separated (each is 64 hex characters).
      confirmEmailHash: f.confirmEmail ? f.confirmEmailHashes.join(" ") : null,
      // A new file has no wrong addresses; emailFileInsert leaves the column to its default (0).
      confirmFailures: 0,
      expiresAt: new Date(now.getTime() + f.retentionWeeks * WEEK_MS),
      createdAt: now,
    })),
  );
  try {
    await Promise.all(files.map((f, i) => bucket.put(keys[i]!, f.content, { httpMetadata: { contentType: f.contentType } })));
  } catch (err) {
    await bucket.delete(keys).catch(() => undefined);
    throw err;
  }
  return { rows, keys };
}

const COLUMNS = ["id", "tenant_id", "notification_id", "object_key", "filename", "content_type", "size", "secret_hash", "confirm_email_hash", "expires_at", "created_at"] as const;
const INSERT_SQL = `INSERT INTO email_files (${COLUMNS.join(", ")}) SELECT ${COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")} FROM json_each(?) WHERE EXISTS (SELECT 1 FROM notifications WHERE id = ?)`;

/**
 * The one statement inserting a send's file rows, for the notification's store batch after the
 * notification's own insert: written only if that notification was (EXISTS), so a batch that
 * conditions the notification on something (a check made in the batch) conditions the files with
 * it, and the caller sees from `meta.changes` whether to delete the R2 objects it put.
 *
 * @example
 * ```ts
 * const statement = emailFileInsert(env.DB, notifyId, rows); // null when there are no rows
 * ```
 */
export function emailFileInsert(d1: D1Database, notificationId: string, rows: EmailFileRow[]): D1PreparedStatement | null {
  if (rows.length === 0) return null;
  const values = rows.map((r) => [r.id, r.tenantId, r.notificationId, r.objectKey, r.filename, r.contentType, r.size, r.secretHash, r.confirmEmailHash, r.expiresAt.getTime(), r.createdAt.getTime()]);
  return d1.prepare(INSERT_SQL).bind(JSON.stringify(values), notificationId);
}
