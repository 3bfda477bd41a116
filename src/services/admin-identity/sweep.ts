import type { Env } from "../../env";

/** Rows of each kind a cron run deletes at most; a backlog drains over the following minutes. */
export const ADMIN_ROWS_SWEPT_PER_RUN = 500;

export interface AdminSweepResult {
  sessions: number;
  links: number;
  attempts: number;
}

/**
 * Deletes what the admin sign-in leaves behind and nothing reads again: sessions past their idle
 * or absolute expiry (a request already refuses them), sign-in links used or expired (the link
 * page already answers 404 for both), and sign-in attempt counters of minutes before the last one
 * (the limit only reads the current minute's). At most `limit` rows of each a run, in one batch.
 *
 * @example
 * ```ts
 * const swept = await sweepAdminIdentity(env, new Date(controller.scheduledTime));
 * ```
 */
export async function sweepAdminIdentity(env: Pick<Env, "DB">, now: Date, limit = ADMIN_ROWS_SWEPT_PER_RUN): Promise<AdminSweepResult> {
  const at = now.getTime();
  const minute = Math.floor(at / 60_000);
  // `DELETE … LIMIT` is not compiled into D1's SQLite, so the bound goes in a subquery.
  const [sessions, links, attempts] = await env.DB.batch([
    env.DB.prepare("DELETE FROM admin_sessions WHERE id_hash IN (SELECT id_hash FROM admin_sessions WHERE idle_expires_at <= ?1 OR absolute_expires_at <= ?1 LIMIT ?2)").bind(at, limit),
    env.DB.prepare("DELETE FROM admin_sign_in_links WHERE token_hash IN (SELECT token_hash FROM admin_sign_in_links WHERE used_at IS NOT NULL OR expires_at <= ?1 LIMIT ?2)").bind(at, limit),
    env.DB.prepare("DELETE FROM admin_sign_in_attempts WHERE bucket IN (SELECT bucket FROM admin_sign_in_attempts WHERE minute < ?1 LIMIT ?2)").bind(minute - 1, limit),
  ]);
  return { sessions: sessions!.meta.changes, links: links!.meta.changes, attempts: attempts!.meta.changes };
}
