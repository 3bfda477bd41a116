import { asc, lte } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailFiles } from "../../db/schema";
import type { Env } from "../../env";

/** Files a cron run deletes at most (R2 deletes up to 1,000 keys a call); the rest wait a minute. */
export const EXPIRED_FILES_PER_RUN = 500;

/**
 * Deletes files sent by email whose retention period has passed, oldest first, at most
 * EXPIRED_FILES_PER_RUN a run: the R2 objects first, then their rows, so a run that fails midway
 * leaves rows the next run finds again (deleting an absent object is not an error). The download
 * page already refuses an expired file, so how soon the sweep comes changes nothing a recipient sees.
 *
 * @example
 * ```ts
 * const deleted = await sweepExpiredEmailFiles(db, env, new Date(controller.scheduledTime));
 * ```
 */
export async function sweepExpiredEmailFiles(db: Db, env: Pick<Env, "BUCKET" | "DB">, now: Date, limit = EXPIRED_FILES_PER_RUN): Promise<number> {
  const expired = await db
    .select({ id: emailFiles.id, objectKey: emailFiles.objectKey })
    .from(emailFiles)
    .where(lte(emailFiles.expiresAt, now))
    .orderBy(asc(emailFiles.expiresAt))
    .limit(limit);
  if (expired.length === 0) return 0;
  await env.BUCKET.delete(expired.map((f) => f.objectKey));
  // One bound parameter whatever the count (D1 takes at most 100 a statement).
  await env.DB.prepare("DELETE FROM email_files WHERE id IN (SELECT value FROM json_each(?))").bind(JSON.stringify(expired.map((f) => f.id))).run();
  return expired.length;
}
