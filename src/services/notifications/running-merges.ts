import { and, desc, gt, isNull, sql } from "drizzle-orm";
import { notifications } from "../../db/schema";
import type { ServiceContext } from "../context";
import { type NotificationSummary, progressOf, toSummary } from "./notifications";
import { statusCounts } from "../delivery/notification-status";

/** Running merges the dashboard lists at most. */
export const RUNNING_MERGES_SHOWN = 10;

export interface RunningMerge extends NotificationSummary {
  progress: { done: number; total: number; percent: number };
  /** Chunks of rows not yet turned into messages. */
  pendingChunks: number;
}

/**
 * The tenant's merges still fanning out (chunks pending, not cancelled), newest first, at most
 * RUNNING_MERGES_SHOWN, each with its progress from the status-count columns (no message read).
 *
 * @example
 * ```ts
 * (await runningMerges(ctx))[0] // { notifyId: "0193…", progress: { done: 1200, total: 5000, percent: 24 }, pendingChunks: 3, … }
 * ```
 */
export async function runningMerges(ctx: Pick<ServiceContext, "db" | "tenant">): Promise<RunningMerge[]> {
  const rows = await ctx.db
    .select()
    .from(notifications)
    // The unary + keeps SQLite off the tenant's index (all its history, for a tenant with no
    // merge running) and on the partial index of pending fan-outs, which holds only the running
    // merges of every tenant.
    .where(and(sql`+${notifications.tenantId} = ${ctx.tenant.id}`, gt(notifications.pendingChunks, 0), isNull(notifications.cancelRequestedAt)))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(RUNNING_MERGES_SHOWN);
  return rows.map((row) => ({ ...toSummary(row), progress: progressOf(row.messageCount, statusCounts(row)), pendingChunks: row.pendingChunks }));
}
