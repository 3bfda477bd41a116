import { and, asc, desc, eq, inArray, lt, ne, or } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import { callbackAttempts, type CallbackAttemptRow, callbackEvents, type CallbackEventRow, type MessageStatus } from "../../db/schema";
import { ownedNotificationId } from "../notifications/owned";
import { ApiError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { enqueueCallbackEvents } from "./enqueue";

export interface CallbackAttemptView {
  attempt: number;
  at: string;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
  responseSnippet: string | null;
}

export interface CallbackEventView {
  eventId: string;
  callbackId: string;
  messageId: string;
  status: MessageStatus;
  state: CallbackEventRow["state"];
  attempts: CallbackAttemptView[];
  /** When a pending event's next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  occurredAt: string;
}

function toView(row: CallbackEventRow, attempts: CallbackAttemptRow[]): CallbackEventView {
  return {
    eventId: row.id,
    callbackId: row.callbackId,
    messageId: row.messageId,
    // A notification's events are message.status events, which always have one.
    status: row.status!,
    state: row.state,
    attempts: attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), durationMs: a.durationMs, httpStatus: a.httpStatus, error: a.error, responseSnippet: a.responseSnippet })),
    nextAttemptAt: row.state === "pending" ? row.nextAttemptAt.toISOString() : null,
    occurredAt: row.occurredAt.toISOString(),
  };
}

/**
 * A page of a notification's status callback events, newest first by (created_at, id), each with
 * every attempt (a bounded number: at most 8 per series). Another tenant's notification is a 404.
 *
 * @example
 * ```ts
 * const page = await listCallbackEvents(ctx, notifyId, { limit: 50 });
 * page.items[0].attempts.map((a) => a.httpStatus) // [500, 200]
 * ```
 */
export async function listCallbackEvents(ctx: ServiceContext, notifyId: string, page: PageRequest): Promise<Page<CallbackEventView>> {
  const id = await ownedNotificationId(ctx, notifyId);
  const rows = await ctx.db
    .select()
    .from(callbackEvents)
    .where(and(eq(callbackEvents.notificationId, id), eq(callbackEvents.tenantId, ctx.tenant.id), olderThan(callbackEvents.createdAt, callbackEvents.id, page.cursor)))
    .orderBy(desc(callbackEvents.createdAt), desc(callbackEvents.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit).map((r) => r.id);
  const attempts = shown.length === 0 ? [] : await ctx.db.select().from(callbackAttempts).where(inArray(callbackAttempts.eventId, shown)).orderBy(asc(callbackAttempts.attempt));
  const byEvent = new Map<string, CallbackAttemptRow[]>();
  for (const a of attempts) byEvent.set(a.eventId, [...(byEvent.get(a.eventId) ?? []), a]);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), (r) => toView(r, byEvent.get(r.id) ?? []));
}

/**
 * Sends an event again as a new series of attempts (the full retry schedule), with the same
 * webhook-id so a receiver that already has it can tell. Any event may be replayed except one
 * being POSTed right now (409). The attempt numbers continue, so the log keeps every attempt.
 *
 * @example
 * ```ts
 * await replayCallbackEvent(ctx, notifyId, "evt_5f0c…"); // { state: "pending", … }
 * ```
 */
export async function replayCallbackEvent(ctx: ServiceContext, notifyId: string, eventId: string): Promise<CallbackEventView> {
  const id = await ownedNotificationId(ctx, notifyId);
  const mine = and(eq(callbackEvents.id, eventId), eq(callbackEvents.notificationId, id), eq(callbackEvents.tenantId, ctx.tenant.id));
  const [replayed] = await ctx.db
    .update(callbackEvents)
    .set({ state: "pending", seriesStart: callbackEvents.attempts, nextAttemptAt: ctx.now, leaseToken: null, leaseUntil: null, updatedAt: ctx.now })
    // An event still `delivering` after its lease ran out belongs to a consumer that died: replayable.
    .where(and(mine, or(ne(callbackEvents.state, "delivering"), lt(callbackEvents.leaseUntil, ctx.now))))
    .returning();
  if (!replayed) {
    const [exists] = await ctx.db.select({ id: callbackEvents.id }).from(callbackEvents).where(mine).limit(1);
    if (!exists) throw new ApiError("not_found", { detail: `No callback event ${eventId} in notification ${notifyId}` });
    throw new ApiError("conflict", { detail: `Callback event ${eventId} is being delivered right now; replay it once this attempt ends` });
  }
  await enqueueCallbackEvents(ctx.env, [replayed.id]);
  const attempts = await ctx.db.select().from(callbackAttempts).where(eq(callbackAttempts.eventId, replayed.id)).orderBy(asc(callbackAttempts.attempt));
  return toView(replayed, attempts);
}
