import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { type CallbackDetail, callbackEvents as outbox, type MessageStatus } from "../../db/schema";

/*
 * The transactional outbox of status callbacks. A callback is owed exactly when a message's status
 * changes, so its row is written by the very batch that changes it (one D1 transaction): a change
 * committed always has its callbacks recorded, a batch that fails records none. Queues only carry
 * the event ids afterwards (services/callbacks/enqueue.ts); the cron's sweep re-enqueues any whose
 * message was lost, so losing an enqueue delays a callback but never drops it.
 *
 * Which registrations apply was decided when the notification was sent (notifications.callbacks,
 * per channel), so a registration added later does not start receiving events of older sends. The
 * registration's current `active` flag and `fires_on` still decide at each change: switching one
 * off, or narrowing its triggers, takes effect for messages already on their way.
 */

/** The registrations that fire for status `to`: active and asking for it. */
const fires = (to: MessageStatus) => sql`"c"."active" = 1 AND EXISTS (SELECT 1 FROM json_each("c"."fires_on") WHERE value = ${to})`;

/**
 * Outbox rows for the callbacks a message status change triggers; put it in the same D1 batch as the change, immediately BEFORE the UPDATE that sets the messages to `to`, with the very same `where` (a condition on `messages`), exactly like countMove in src/services/delivery/notification-status.ts.
 *
 * One `INSERT … SELECT` writes a row per (matching message × registration its notification
 * resolved for the message's channel whose `fires_on` holds `to`), and answers the new event ids
 * (RETURNING) for the caller to enqueue with `enqueueCallbackEvents`. Messages already in `to` are
 * no change and owe nothing; an event already written for the same message, registration and
 * status is never written again (ON CONFLICT DO NOTHING), so RETURNING names only new events. A notification that resolved no registration (`callbacks` null)
 * joins nothing, so a tenant without callbacks pays one statement that writes nothing. `detail` is
 * what the event says about why (a failure's message, code, provider, whether a retry may help).
 *
 * @example
 * ```ts
 * const where = and(eq(messages.deliveryId, id), eq(messages.status, "sending"));
 * const results = await db.batch([
 *   countMove(db, where, "delivered", now),
 *   callbackEvents(db, where, "delivered", now),
 *   db.update(messages).set({ status: "delivered", updatedAt: now }).where(where),
 * ]);
 * await enqueueCallbackEvents(env, eventIdsOf(results[1]));
 * ```
 */
export function callbackEvents(
  db: Db,
  where: SQL | undefined,
  to: MessageStatus,
  now: Date,
  detail?: { message?: string; retryable?: boolean; provider?: string; code?: string },
): BatchItem<"sqlite"> {
  const said = detail ? compactDetail(detail) : null;
  return outboxInsert(db, sql`(${where ?? sql`1`}) AND "status" <> ${to}`, to, now, said ? sql`${JSON.stringify(said)}` : sql`NULL`);
}

/**
 * Like `callbackEvents`, but each message says its own detail: `details` is a JSON object (one
 * bound parameter) from message id to its detail (built with `callbackDetailOf`) or null, for a
 * set-based move of messages that got there for different reasons (delivery receipts, each with
 * the provider's own description).
 *
 * @example
 * ```ts
 * const details = JSON.stringify({ [messageId]: callbackDetailOf({ message: "Bounced", provider: "ses" }) });
 * statements.push(callbackEventsEach(db, where, "permanent-failure", now, details));
 * ```
 */
export function callbackEventsEach(db: Db, where: SQL | undefined, to: MessageStatus, now: Date, details: string): BatchItem<"sqlite"> {
  return outboxInsert(db, sql`(${where ?? sql`1`}) AND "status" <> ${to}`, to, now, sql`json_extract(${details}, '$."' || "m"."id" || '"')`);
}

/**
 * Outbox rows for messages stored directly in `status` (a failure found while planning a send or
 * a chunk of a merge, a chunk stored cancelled): there was no earlier status to change from, yet
 * the tenant is owed the callback all the same. Put it in the batch that inserts the messages,
 * AFTER their INSERT, with a `where` that matches only those new rows. Each event's detail is the
 * message's own error (they differ row by row), less its timestamp and provider internals.
 *
 * @example
 * ```ts
 * const failedHere = and(eq(messages.notificationId, id), eq(messages.status, "technical-failure"));
 * statements.push(storedCallbackEvents(db, failedHere, "technical-failure", now));
 * ```
 */
export function storedCallbackEvents(db: Db, where: SQL | undefined, status: MessageStatus, now: Date): BatchItem<"sqlite"> {
  return outboxInsert(
    db,
    sql`(${where ?? sql`1`}) AND "status" = ${status}`,
    status,
    now,
    sql`CASE WHEN "m"."error" IS NULL THEN NULL ELSE json_remove("m"."error", '$.at', '$.httpStatus', '$.providerCode') END`,
  );
}

function outboxInsert(db: Db, messageFilter: SQL, to: MessageStatus, now: Date, detail: SQL) {
  const at = now.getTime();
  const values: Record<keyof typeof outbox.$inferSelect, SQL> = {
    id: sql`'evt_' || lower(hex(randomblob(16)))`,
    tenantId: sql`"m"."tenant_id"`,
    kind: sql`'message.status'`,
    notificationId: sql`"m"."notification_id"`,
    messageId: sql`"m"."id"`,
    callbackId: sql`"c"."id"`,
    status: sql`${to}`,
    detail,
    state: sql`'pending'`,
    attempts: sql`0`,
    seriesStart: sql`0`,
    nextAttemptAt: sql`${at}`,
    leaseUntil: sql`NULL`,
    leaseToken: sql`NULL`,
    occurredAt: sql`${at}`,
    createdAt: sql`${at}`,
    updatedAt: sql`${at}`,
  };
  // In the table's column order, which is the order drizzle's INSERT … SELECT lists its columns in.
  const selected = Object.keys(getTableColumns(outbox)).map((key) => values[key as keyof typeof values]);
  // The messages are filtered in a subquery of their own so that the caller's condition sees
  // `messages` alone (as it does in countMove and the UPDATE): its unqualified names stay unambiguous.
  return db
    .insert(outbox)
    .select(
      sql`SELECT ${sql.join(selected, sql`, `)}
        FROM (SELECT "id", "tenant_id", "notification_id", "channel", "error" FROM "messages" WHERE ${messageFilter}) AS "m"
        JOIN "notifications" AS "n" ON "n"."id" = "m"."notification_id"
        JOIN json_each("n"."callbacks", '$.' || "m"."channel") AS "r"
        JOIN "callbacks" AS "c" ON "c"."id" = "r"."value" AND "c"."tenant_id" = "m"."tenant_id"
        WHERE "n"."callbacks" IS NOT NULL AND ${fires(to)}`,
    )
    // One event per (message, registration, status) (callback_events_once_idx): a status reached
    // again writes nothing, and RETURNING answers only the rows inserted, so nothing is enqueued twice.
    .onConflictDoNothing()
    .returning({ id: outbox.id });
}

/** The new event ids a `callbackEvents` statement answered, from its place in a batch's results. */
export function eventIdsOf(result: unknown): string[] {
  return Array.isArray(result) ? (result as { id: string }[]).map((r) => r.id) : [];
}

/** Only the fields said, bounded: provider messages can be long, and a callback carries a summary. */
export function callbackDetailOf(detail: CallbackDetail): CallbackDetail | null {
  return compactDetail(detail);
}

function compactDetail(detail: CallbackDetail): CallbackDetail | null {
  const out: CallbackDetail = {};
  if (detail.message !== undefined) out.message = detail.message.slice(0, 500);
  if (detail.retryable !== undefined) out.retryable = detail.retryable;
  if (detail.provider !== undefined) out.provider = detail.provider.slice(0, 64);
  if (detail.code !== undefined) out.code = detail.code.slice(0, 64);
  return Object.keys(out).length > 0 ? out : null;
}
