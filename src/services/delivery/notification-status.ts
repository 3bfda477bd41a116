import { eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { MESSAGE_STATUSES, type MessageStatus, type NotificationRow, type NotificationStatus, notifications, STATUS_COUNT_FIELDS } from "../../db/schema";

/*
 * A notification keeps how many of its messages are in each status (the count_* columns), and
 * its overall status is derived from those counts, never from scanning its messages: a merge of
 * 50,000 messages would otherwise rescan 50,000 rows at each of its 100,000 claims and outcomes.
 *
 * The counts change only together with the messages: every UPDATE of a message status is
 * preceded, in the same D1 batch, by `countMove` with the very same WHERE. A batch is one
 * transaction and its statements run in order, so the counting statement sees exactly the rows
 * the UPDATE after it will change (even when that WHERE depends on an earlier statement of the
 * batch, like the claim's lease token), and moves them from the statuses they are in to the one
 * they are going to. The change is relative (`count = count - moved`), so two consumers finishing
 * deliveries of one notification at once both land: D1 runs their statements one after the other.
 */

const column = (status: MessageStatus) => notifications[STATUS_COUNT_FIELDS[status]].name;
const alias = (status: MessageStatus) => `n_${column(status).slice("count_".length)}`;

/**
 * The overall status from the number of messages in each status (`count(s)` is an SQL
 * expression for status `s`). The rules, first match wins:
 * 1. nothing left but cancelled messages (or none at all): `cancelled`;
 * 2. anything `created` or `sending` (queued or in progress): `sending` once any message went
 *    further than waiting (sending, finished, failed), else `accepted`;
 * 3. otherwise anything `scheduled`: `sending` if part of it is already done, else `scheduled`;
 * 4. everything finished: `delivered` when every message was delivered; `cancelled` when the
 *    rest were cancelled (a merge cancelled part way: its counts say how many went); `failed`
 *    when none was delivered, `partially-failed` in between.
 * A failure recorded when the send was planned (a subscription service that could not be asked)
 * counts as done, like any other failure. Before all of this, a merge whose rows are still being
 * fanned out (`pending_chunks` > 0) and that was not cancelled is `accepted`, or `sending` once
 * any message went further than waiting: its counts do not hold all its messages yet.
 */
export function overallStatusSql(count: (status: MessageStatus) => SQL, pending: SQL = sql`${sql.identifier("pending_chunks")}`): SQL {
  const total = (statuses: readonly MessageStatus[]) => sql`(${sql.join(statuses.map(count), sql` + `)})`;
  const except = (...excluded: MessageStatus[]) => total(MESSAGE_STATUSES.filter((s) => !excluded.includes(s)));
  return sql`CASE
    WHEN ${pending} > 0 AND ${sql.identifier("cancel_requested_at")} IS NULL THEN
      CASE WHEN ${except("created", "scheduled", "cancelled")} > 0 THEN 'sending' ELSE 'accepted' END
    WHEN ${except("cancelled")} = 0 THEN 'cancelled'
    WHEN ${total(["created", "sending"])} > 0 THEN
      CASE WHEN ${except("created", "scheduled", "cancelled")} > 0 THEN 'sending' ELSE 'accepted' END
    WHEN ${total(["scheduled"])} > 0 THEN
      CASE WHEN ${except("scheduled", "cancelled")} > 0 THEN 'sending' ELSE 'scheduled' END
    WHEN ${except("delivered", "cancelled")} = 0 THEN CASE WHEN ${total(["cancelled"])} > 0 THEN 'cancelled' ELSE 'delivered' END
    WHEN ${total(["delivered"])} = 0 THEN 'failed'
    ELSE 'partially-failed'
  END`;
}

/**
 * overallStatusSql's rules in JavaScript, for a notification whose counts are known before it is
 * written (a send's first status: services/send/store.ts), so storing it needs no statement to
 * derive them. The two are kept equal by a property test (notification-status.test.ts).
 *
 * @example
 * ```ts
 * overallStatus({ created: 2 }, 0, false)                      // "accepted"
 * overallStatus({ created: 1, "technical-failure": 1 }, 0, false) // "sending"
 * ```
 */
export function overallStatus(counts: Partial<Record<MessageStatus, number>>, pendingChunks: number, cancelRequested: boolean): NotificationStatus {
  const total = (statuses: readonly MessageStatus[]) => statuses.reduce((n, s) => n + (counts[s] ?? 0), 0);
  const except = (...excluded: MessageStatus[]) => total(MESSAGE_STATUSES.filter((s) => !excluded.includes(s)));
  if (pendingChunks > 0 && !cancelRequested) return except("created", "scheduled", "cancelled") > 0 ? "sending" : "accepted";
  if (except("cancelled") === 0) return "cancelled";
  if (total(["created", "sending"]) > 0) return except("created", "scheduled", "cancelled") > 0 ? "sending" : "accepted";
  if (total(["scheduled"]) > 0) return except("scheduled", "cancelled") > 0 ? "sending" : "scheduled";
  if (except("delivered", "cancelled") === 0) return total(["cancelled"]) > 0 ? "cancelled" : "delivered";
  if (total(["delivered"]) === 0) return "failed";
  return "partially-failed";
}

/** The stored counts as an SQL expression per status (for `overallStatusSql`). */
const storedCount = (status: MessageStatus) => sql`${sql.identifier(column(status))}`;

/**
 * Counts for a notification just stored (services/send/store.ts): sets its status from the
 * counts it was inserted with, so the one set of rules above also decides the first status.
 */
export function deriveStatus(db: Db, notificationId: string) {
  return db
    .update(notifications)
    .set({ status: sql`${overallStatusSql(storedCount)}` })
    .where(eq(notifications.id, notificationId))
    .returning({ status: notifications.status });
}

/**
 * Moves the messages matching `where` (a condition on `messages`) from the statuses they are in
 * to `to` in their notifications' counts, and re-derives those notifications' status. Put it
 * immediately before the UPDATE that sets those messages to `to`, in the same batch, with the
 * same `where`. Cost: one pass over the matching messages (a delivery's, at most 50 per
 * delivery), never over the whole notification. Messages already in `to` count as staying there.
 */
export function countMove(db: Db, where: SQL | undefined, to: MessageStatus, now: Date) {
  const next = (status: MessageStatus) => {
    const kept = sql`${sql.identifier(column(status))} - ${sql.identifier("d")}.${sql.identifier(alias(status))}`;
    return status === to ? sql`(${kept} + ${sql.identifier("d")}.${sql.identifier("n_total")})` : sql`(${kept})`;
  };
  const tally = MESSAGE_STATUSES.map((s) => sql`SUM(${sql.identifier("status")} = ${sql.raw(`'${s}'`)}) AS ${sql.identifier(alias(s))}`);
  // Built with drizzle's update rather than db.run(sql): drizzle's D1 batch cannot bind the
  // parameters of a raw statement.
  return db
    .update(notifications)
    .set({
      ...(Object.fromEntries(MESSAGE_STATUSES.map((s) => [STATUS_COUNT_FIELDS[s], next(s)])) as Record<(typeof STATUS_COUNT_FIELDS)[MessageStatus], SQL>),
      status: sql`${overallStatusSql(next)}`,
      updatedAt: now,
    })
    .from(
      sql`(SELECT ${sql.identifier("notification_id")}, COUNT(*) AS ${sql.identifier("n_total")}, ${sql.join(tally, sql`, `)}
        FROM ${sql.identifier("messages")} WHERE ${where ?? sql`1`} GROUP BY ${sql.identifier("notification_id")}) AS ${sql.identifier("d")}`,
    )
    .where(sql`${notifications.id} = ${sql.identifier("d")}.${sql.identifier("notification_id")}`);
}

/** Counts per status for the status API, leaving out statuses no message is in. */
export function statusCounts(row: NotificationRow): Partial<Record<MessageStatus, number>> {
  const counts: Partial<Record<MessageStatus, number>> = {};
  for (const status of MESSAGE_STATUSES) {
    const n = row[STATUS_COUNT_FIELDS[status]];
    if (n !== 0) counts[status] = n;
  }
  return counts;
}

/** Initial counts for message statuses being inserted with their notification. */
export function initialCounts(statuses: Iterable<MessageStatus>): Pick<NotificationRow, (typeof STATUS_COUNT_FIELDS)[MessageStatus]> {
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [STATUS_COUNT_FIELDS[s], 0])) as Record<(typeof STATUS_COUNT_FIELDS)[MessageStatus], number>;
  for (const status of statuses) counts[STATUS_COUNT_FIELDS[status]] += 1;
  return counts;
}
