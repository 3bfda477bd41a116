import { createDb } from "../db/client";
import type { Env } from "../env";
import { log } from "../lib/log";
import { failUndeliverable, processDelivery } from "../services/delivery/process";
import type { DeliverMessage } from "../services/send/enqueue";

function isDeliverMessage(body: unknown): body is DeliverMessage {
  return typeof body === "object" && body !== null && typeof (body as DeliverMessage).deliveryId === "string";
}

/**
 * Queue entry point. Each message is handled on its own (acked or retried individually), so one
 * slow or failing provider call does not hold back the rest of the batch.
 */
export async function consumeQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const deadLetter = batch.queue.endsWith("dead-letter");
  await Promise.all(
    batch.messages.map(async (message) => {
      if (!isDeliverMessage(message.body)) {
        log("error", "unrecognised queue message dropped", { queue: batch.queue, id: message.id });
        message.ack();
        return;
      }
      try {
        if (deadLetter) {
          await failUndeliverable(db, message.body.deliveryId, `The delivery queue gave up after ${message.attempts} deliveries of its message`);
          message.ack();
          return;
        }
        const disposition = await processDelivery(db, env, message.body.deliveryId);
        if (disposition.action === "ack") message.ack();
        else message.retry({ delaySeconds: disposition.delaySeconds });
      } catch (err) {
        log("error", "queue message failed", { queue: batch.queue, deliveryId: message.body.deliveryId, error: String(err) });
        message.retry({ delaySeconds: 30 });
      }
    }),
  );
}
