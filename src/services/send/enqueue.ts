import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { log } from "../../lib/log";

/** The body of a message on the deliver queue: ids only, the delivery row holds the rest. */
export interface DeliverMessage {
  deliveryId: string;
  tenantId: string;
}

/** Queues.sendBatch takes at most 100 messages. */
const QUEUE_BATCH = 100;

/**
 * Hands deliveries to the deliver queue. A failure here is logged, not raised: the rows are
 * already stored as `queued`, and the cron sweep re-enqueues queued deliveries that did not
 * move, so an outage of the queue delays messages but loses none.
 */
export async function enqueueDeliveries(env: Env, items: (DeliverMessage & { delaySeconds?: number })[]): Promise<boolean> {
  try {
    for (const batch of chunk(items, QUEUE_BATCH)) {
      await env.DELIVER_QUEUE.sendBatch(
        batch.map(({ delaySeconds, ...body }) => ({ body, contentType: "json" as const, ...(delaySeconds ? { delaySeconds } : {}) })),
      );
    }
    return true;
  } catch (err) {
    log("error", "enqueue failed; the cron sweep will retry", { count: items.length, error: String(err) });
    return false;
  }
}
