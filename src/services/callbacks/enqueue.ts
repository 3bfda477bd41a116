import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { log } from "../../lib/log";

/** The body of a notify-events message: the outbox row's id, which holds everything else. */
export interface CallbackEventMessage {
  eventId: string;
}

/** Queues.sendBatch takes at most 100 messages. */
const QUEUE_BATCH = 100;

/**
 * Hands outbox rows (services/callbacks/emit.ts) to the notify-events queue. A failure is logged,
 * not raised: the rows are committed as `pending`, and the cron's outbox sweep enqueues those left
 * waiting, so a queue outage delays callbacks but the status change that owed them still succeeds.
 *
 * @example
 * ```ts
 * await enqueueCallbackEvents(env, eventIdsOf(results[1]));
 * await enqueueCallbackEvents(env, [eventId], 300); // a retry in five minutes
 * ```
 */
export async function enqueueCallbackEvents(env: Env, eventIds: string[], delaySeconds = 0): Promise<boolean> {
  if (eventIds.length === 0) return true;
  try {
    for (const ids of chunk(eventIds, QUEUE_BATCH)) {
      await env.EVENTS_QUEUE.sendBatch(
        ids.map((eventId) => ({ body: { eventId } satisfies CallbackEventMessage, contentType: "json" as const, ...(delaySeconds > 0 ? { delaySeconds } : {}) })),
      );
    }
    return true;
  } catch (err) {
    log("error", "callback enqueue failed; the outbox sweep will retry", { count: eventIds.length, error: String(err) });
    return false;
  }
}
