import { and, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { callbackEvents } from "../../db/schema";
import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { enqueueCallbackEvents } from "./enqueue";

/** An event due this long ago and still not taken is assumed lost on its way to the queue. */
export const OUTBOX_SWEEP_AFTER_MS = 5 * 60_000;
/** Events per cron run; ids per UPDATE (D1 binds at most 100 parameters). */
const BATCH_ROWS = 500;
const IDS_PER_STATEMENT = 90;

/**
 * The outbox's safety net (every cron tick): events due for more than OUTBOX_SWEEP_AFTER_MS that
 * no consumer took (their enqueue was lost, or the queue dropped the message), and events whose
 * consumer vanished mid-attempt (lease run out), are enqueued again. Their due time moves to now,
 * so one still not taken is swept again only after another OUTBOX_SWEEP_AFTER_MS. A copy that
 * races a live message is harmless: the consumer's claim lets only one attempt through.
 *
 * @example
 * ```ts
 * await requeueLostCallbackEvents(db, env, new Date(controller.scheduledTime)); // 0 on a quiet day
 * ```
 */
export async function requeueLostCallbackEvents(db: Db, env: Env, now: Date): Promise<number> {
  const lost = await db
    .select({ id: callbackEvents.id })
    .from(callbackEvents)
    .where(
      and(
        // Written as the partial index's own condition (callback_events_due_idx), so the index is used.
        sql`${callbackEvents.state} IN ('pending', 'delivering')`,
        lt(callbackEvents.nextAttemptAt, new Date(now.getTime() - OUTBOX_SWEEP_AFTER_MS)),
        sql`(${callbackEvents.state} = 'pending' OR ${callbackEvents.leaseUntil} < ${now.getTime()})`,
      ),
    )
    .limit(BATCH_ROWS);
  for (const group of chunk(lost.map((e) => e.id), IDS_PER_STATEMENT)) {
    await db.update(callbackEvents).set({ nextAttemptAt: now }).where(inArray(callbackEvents.id, group));
    await enqueueCallbackEvents(env, group);
  }
  return lost.length;
}
