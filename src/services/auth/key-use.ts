import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { LruCache } from "../../lib/lru-cache";
import { log } from "../../lib/log";

/**
 * How precisely a key's `last_used_at` is kept: it is written at most once per key per this
 * time, so it says when a key was last used to within an hour. That answers what people ask of
 * it (is this key still in use; may I revoke it) while a busy key costs one D1 write an hour
 * rather than one per request.
 */
export const KEY_USE_GRANULARITY_MS = 60 * 60 * 1000;

/** After a failed write this isolate tries again no sooner than this, so a D1 outage is not retried per request. */
const RETRY_AFTER_FAILURE_MS = 60 * 1000;

/** Keys remembered per isolate, as the credential cache does (credential-cache.ts): bounded in memory. */
const CAPACITY = 1_000;

/** Key id → when this isolate last recorded (or began recording) a use of it. */
const recorded = new LruCache<string, number>(CAPACITY);

/**
 * Whether a use of `key` at `now` is worth writing: not when this isolate recorded one within
 * KEY_USE_GRANULARITY_MS, nor when the row authentication read already says so. Pure and
 * synchronous, so the request path pays no more than a map lookup.
 *
 * @example
 * ```ts
 * keyUseDue({ id, lastUsedAt: null }, Date.now()) // true
 * ```
 */
export function keyUseDue(key: { id: string; lastUsedAt: Date | null }, now: number): boolean {
  // The same test as the UPDATE's guard, so a use this says is due is one the guard lets through.
  const since = now - KEY_USE_GRANULARITY_MS;
  if (key.lastUsedAt && key.lastUsedAt.getTime() >= since) return false;
  const memo = recorded.get(key.id);
  return memo === undefined || memo < since;
}

/**
 * Records that `key` authenticated a request at `now`, when due (keyUseDue). Meant for
 * `executionCtx.waitUntil`, off the request's path; never throws: a failed write is logged and
 * tried again a minute later at the soonest. The UPDATE is guarded by the column itself, so
 * isolates that each decide a write is due change the row once per window between them.
 * Answers whether this call changed the row.
 *
 * @example
 * ```ts
 * if (keyUseDue(key, now)) c.executionCtx.waitUntil(recordKeyUse(db, key, now));
 * ```
 */
export async function recordKeyUse(db: Db, key: { id: string; lastUsedAt: Date | null }, now: number): Promise<boolean> {
  if (!keyUseDue(key, now)) return false;
  // Remembered before the write, so requests arriving while it is in flight do not write too.
  recorded.set(key.id, now);
  try {
    const { meta } = await db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - KEY_USE_GRANULARITY_MS)))))
      .run();
    return meta.changes > 0;
  } catch (err) {
    recorded.set(key.id, now - KEY_USE_GRANULARITY_MS + RETRY_AFTER_FAILURE_MS);
    log("error", "recording an API key's last use failed", { keyId: key.id, error: String(err) });
    return false;
  }
}

/**
 * Forgets what this isolate recorded, so the next use of each key is checked against D1 again:
 * for tests that play two isolates.
 *
 * @example
 * ```ts
 * forgetKeyUses();
 * ```
 */
export function forgetKeyUses(): void {
  recorded.clear();
}
