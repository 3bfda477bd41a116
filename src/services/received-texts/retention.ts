import type { Env } from "../../env";
import { log } from "../../lib/log";

/** Days a received text is kept when RECEIVED_TEXT_RETENTION_DAYS is unset: GOV.UK Notify's default retention. */
export const DEFAULT_RECEIVED_TEXT_RETENTION_DAYS = 7;

/** The longest retention RECEIVED_TEXT_RETENTION_DAYS may ask for (100 years: "keep them"). */
export const MAX_RECEIVED_TEXT_RETENTION_DAYS = 36_500;

/** Received texts a cron run deletes at most; a backlog (the first run after deploying) drains over the following minutes. */
export const RECEIVED_TEXTS_SWEPT_PER_RUN = 500;

const DAY_MS = 86_400_000;

/**
 * `DELETE … LIMIT` is not compiled into D1's SQLite, so the bound goes in a subquery. It selects
 * rowids, which received_texts_created_idx holds, so it reads only that index from its oldest
 * entry and the delete finds each row by rowid.
 */
export const SWEEP_RECEIVED_TEXTS =
  "DELETE FROM received_texts WHERE rowid IN (SELECT rowid FROM received_texts WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)";

/**
 * Days received texts are kept: RECEIVED_TEXT_RETENTION_DAYS when set, else 7. A value that is not
 * a whole number of days from 1 to 36,500 answers null: the sweep then deletes nothing, because
 * guessing a retention for a mistyped one could delete texts the operator meant to keep.
 *
 * @example
 * ```ts
 * receivedTextRetentionDays({}) // 7
 * receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "30" }) // 30
 * receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "a week" }) // null
 * ```
 */
export function receivedTextRetentionDays(env: Pick<Env, "RECEIVED_TEXT_RETENTION_DAYS">): number | null {
  const raw = env.RECEIVED_TEXT_RETENTION_DAYS?.trim();
  if (raw === undefined || raw === "") return DEFAULT_RECEIVED_TEXT_RETENTION_DAYS;
  if (!/^\d+$/.test(raw)) return null;
  const days = Number(raw);
  return days >= 1 && days <= MAX_RECEIVED_TEXT_RETENTION_DAYS ? days : null;
}

/**
 * Deletes received texts older than the retention (GOV.UK Notify deletes its received texts after
 * its retention, 7 days by default), oldest first, at most `limit` a run, every tenant's alike.
 * Answers how many it deleted; with a misconfigured retention it deletes none and logs why.
 *
 * @example
 * ```ts
 * const swept = await sweepReceivedTexts(env, new Date(controller.scheduledTime));
 * ```
 */
export async function sweepReceivedTexts(env: Pick<Env, "DB" | "RECEIVED_TEXT_RETENTION_DAYS">, now: Date, limit = RECEIVED_TEXTS_SWEPT_PER_RUN): Promise<number> {
  const days = receivedTextRetentionDays(env);
  if (days === null) {
    log("warn", "received texts kept: RECEIVED_TEXT_RETENTION_DAYS is not a whole number of days from 1 to 36500", { value: env.RECEIVED_TEXT_RETENTION_DAYS });
    return 0;
  }
  const result = await env.DB.prepare(SWEEP_RECEIVED_TEXTS).bind(now.getTime() - days * DAY_MS, limit).run();
  return result.meta.changes;
}
