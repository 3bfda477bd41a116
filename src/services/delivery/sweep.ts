import { and, eq, inArray, lt, lte } from "drizzle-orm";
import type { Db } from "../../db/client";
import { deliveries, type DeliveryError, messages } from "../../db/schema";
import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { enqueueDeliveries } from "../send/enqueue";
import { attemptRecord, insertAttempts } from "./attempts";
import { countMove } from "./notification-status";
import { callbackEvents, eventIdsOf } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";

/** Rows handled per cron run and per statement (D1 binds at most 100 parameters). */
const BATCH_ROWS = 500;
const IDS_PER_STATEMENT = 90;
/** A queued delivery untouched this long is assumed lost on the way to the queue. */
export const REQUEUE_AFTER_MS = 10 * 60_000;

/**
 * Releases scheduled deliveries due before the next cron tick. They are enqueued with a delay
 * to the exact second, so delayed sends are not rounded to the minute.
 */
export async function releaseDueDeliveries(db: Db, env: Env, now: Date): Promise<number> {
  const horizon = new Date(now.getTime() + 60_000);
  const due = await db
    .select({ id: deliveries.id, tenantId: deliveries.tenantId, scheduledFor: deliveries.scheduledFor })
    .from(deliveries)
    .where(and(eq(deliveries.state, "scheduled"), lte(deliveries.scheduledFor, horizon)))
    .limit(BATCH_ROWS);
  let released = 0;
  for (const group of chunk(due, IDS_PER_STATEMENT)) {
    const ids = group.map((d) => d.id);
    const waiting = and(inArray(messages.deliveryId, ids), eq(messages.status, "scheduled"));
    const [moved, , emitted] = await db.batch([
      db
        .update(deliveries)
        .set({ state: "queued", enqueuedAt: now, updatedAt: now })
        .where(and(inArray(deliveries.id, ids), eq(deliveries.state, "scheduled")))
        .returning({ id: deliveries.id }),
      countMove(db, waiting, "created", now),
      callbackEvents(db, waiting, "created", now),
      db.update(messages).set({ status: "created", updatedAt: now }).where(waiting),
    ]);
    await enqueueCallbackEvents(env, eventIdsOf(emitted));
    const movedIds = new Set(moved.map((m) => m.id));
    const items = group
      .filter((d) => movedIds.has(d.id))
      .map((d) => ({
        deliveryId: d.id,
        tenantId: d.tenantId,
        delaySeconds: Math.max(0, Math.ceil(((d.scheduledFor?.getTime() ?? now.getTime()) - now.getTime()) / 1000)),
      }));
    await enqueueDeliveries(env, items);
    released += items.length;
  }
  return released;
}

/** Re-enqueues queued deliveries that never reached the consumer (the claim makes extras harmless). */
export async function requeueStaleDeliveries(db: Db, env: Env, now: Date): Promise<number> {
  const stale = await db
    .select({ id: deliveries.id, tenantId: deliveries.tenantId })
    .from(deliveries)
    .where(and(eq(deliveries.state, "queued"), lt(deliveries.enqueuedAt, new Date(now.getTime() - REQUEUE_AFTER_MS))))
    .limit(BATCH_ROWS);
  for (const group of chunk(stale, IDS_PER_STATEMENT)) {
    await db.update(deliveries).set({ enqueuedAt: now }).where(inArray(deliveries.id, group.map((d) => d.id)));
    await enqueueDeliveries(env, group.map((d) => ({ deliveryId: d.id, tenantId: d.tenantId })));
  }
  return stale.length;
}

/**
 * A delivery still `in_flight` after its lease ran out lost its worker mid-attempt. Whether the
 * provider accepted it is unknown, and sending again could deliver twice, so it becomes a
 * technical failure that says so (GOV.UK Notify's advice for that status is "resend").
 */
export async function expireLostAttempts(db: Db, env: Env, now: Date): Promise<number> {
  const lost = await db
    .select({ id: deliveries.id, notificationId: deliveries.notificationId, tenantId: deliveries.tenantId, attempts: deliveries.attempts, provider: deliveries.provider, claimedAt: deliveries.updatedAt })
    .from(deliveries)
    .where(and(eq(deliveries.state, "in_flight"), lt(deliveries.leaseUntil, now)))
    .limit(BATCH_ROWS);
  const error: DeliveryError = {
    code: "outcome_unknown",
    message: "The attempt was interrupted before the provider's answer was recorded; not resent to avoid a duplicate",
    retryable: false,
    at: now.toISOString(),
  };
  for (const group of chunk(lost, IDS_PER_STATEMENT)) {
    const ids = group.map((d) => d.id);
    const unsettled = and(inArray(messages.deliveryId, ids), inArray(messages.status, ["created", "sending"]));
    // The attempt the batch never recorded, as far as it is known: it began when claimed.
    const attempts = group.map((d) =>
      attemptRecord(d, d.provider, { startedAt: d.claimedAt.getTime(), endedAt: now.getTime(), outcome: "unknown", errorCode: error.code, errorMessage: error.message }),
    );
    const [, emitted] = await db.batch([
      countMove(db, unsettled, "technical-failure", now),
      callbackEvents(db, unsettled, "technical-failure", now, error),
      db.update(messages).set({ status: "technical-failure", error, updatedAt: now, completedAt: now }).where(unsettled),
      ...insertAttempts(db, attempts, { lostBefore: now }),
      db
        .update(deliveries)
        .set({ state: "done", lastError: error, leaseUntil: null, leaseToken: null, updatedAt: now })
        .where(and(inArray(deliveries.id, ids), eq(deliveries.state, "in_flight"))),
    ]);
    await enqueueCallbackEvents(env, eventIdsOf(emitted));
  }
  return lost.length;
}

/** GOV.UK Notify's rule: a message still `sending` after 72 hours will not hear more from its provider. */
export const SENDING_GIVE_UP_MS = 72 * 3_600_000;

/**
 * Messages left in `sending` for SENDING_GIVE_UP_MS (a provider that accepted them and never
 * reported a final status) become `technical-failure`, with an error that says so, rather than
 * staying in progress for ever.
 */
export async function expireStuckSending(db: Db, env: Env, now: Date): Promise<number> {
  const stuck = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.status, "sending"), lt(messages.updatedAt, new Date(now.getTime() - SENDING_GIVE_UP_MS))))
    .limit(BATCH_ROWS);
  const error: DeliveryError = {
    code: "no_final_status",
    message:
      "No final status within 72 hours of sending: the provider never reported one (no delivery receipt arrived), so this message is treated as failed (GOV.UK Notify's rule); it may still have reached the recipient",
    retryable: false,
    at: now.toISOString(),
  };
  for (const group of chunk(stuck, IDS_PER_STATEMENT)) {
    const still = and(inArray(messages.id, group.map((m) => m.id)), eq(messages.status, "sending"));
    const [, emitted] = await db.batch([
      countMove(db, still, "technical-failure", now),
      callbackEvents(db, still, "technical-failure", now, error),
      db.update(messages).set({ status: "technical-failure", error, updatedAt: now, completedAt: now }).where(still),
    ]);
    await enqueueCallbackEvents(env, eventIdsOf(emitted));
  }
  return stuck.length;
}
