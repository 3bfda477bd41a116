import type { z } from "zod";
import { createDb, type Db } from "../db/client";
import type { Env } from "../env";
import { log } from "../lib/log";
import { failUndeliverable, processDelivery } from "../services/delivery/process";
import { fanOutChunk } from "../services/fanout/fan-out-chunk";
import { DeadLetterMessageSchema, DeliverMessageSchema, FanoutMessageSchema } from "./messages";
import { type LogicalQueue, logicalQueue } from "./names";

/**
 * How long a message this Worker cannot handle waits before the queue offers it again. Long enough
 * that a rolling deploy (a producer ahead of its consumer) settles before the next try; the queue's
 * max_retries then moves a message that never becomes readable to the dead-letter queue.
 */
const UNHANDLED_RETRY_SECONDS = 60;
/** A handler that threw (D1 unavailable, a bug) is tried again after this delay. */
const FAILED_RETRY_SECONDS = 30;

interface QueueHandler<S extends z.ZodType> {
  schema: S;
  handle(message: Message<unknown>, body: z.infer<S>, queue: string, db: Db, env: Env): Promise<void>;
}

const handler = <S extends z.ZodType>(h: QueueHandler<S>) => h;

const deliver = handler({
  schema: DeliverMessageSchema,
  async handle(message, body, _queue, db, env) {
    const disposition = await processDelivery(db, env, body.deliveryId);
    if (disposition.action === "ack") message.ack();
    else message.retry({ delaySeconds: disposition.delaySeconds });
  },
});

const fanout = handler({
  schema: FanoutMessageSchema,
  async handle(message, body, _queue, db, env) {
    await fanOutChunk(db, env, body);
    message.ack();
  },
});

const deadLetter = handler({
  schema: DeadLetterMessageSchema,
  async handle(message, body, _queue, db, env) {
    if ("deliveryId" in body) await failUndeliverable(db, body.deliveryId, `The delivery queue gave up after ${message.attempts} deliveries of its message`);
    // A chunk the fan-out could not store: its rows are recorded as technical failures, not lost.
    else await fanOutChunk(db, env, body, `The fan-out gave up on this chunk of the merge after ${message.attempts} attempts`);
    message.ack();
  },
});

/**
 * One handler per logical queue. A queue mapped to null has no consumer yet (notify-events arrives
 * with its own issue): its messages are retried, never acknowledged, so none is lost before a
 * consumer exists.
 */
const HANDLERS: Record<LogicalQueue, QueueHandler<z.ZodType> | null> = {
  "notify-deliver": deliver as QueueHandler<z.ZodType>,
  "notify-dead-letter": deadLetter as QueueHandler<z.ZodType>,
  "notify-fanout": fanout as QueueHandler<z.ZodType>,
  "notify-events": null,
};

/** The top-level shape of a body that failed its schema: key names and types only, never values. */
function describeBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object") return { bodyType: body === null ? "null" : typeof body };
  if (Array.isArray(body)) return { bodyType: "array", length: body.length };
  return { bodyType: "object", keys: Object.keys(body).slice(0, 20) };
}

/**
 * A dead letter whose body does not parse still names a delivery when it has a `deliveryId`
 * string (a message missing only `tenantId`, say); that delivery can then be settled as failed
 * rather than left for the cron to find.
 */
function looseDeliveryId(body: unknown): string | null {
  if (body === null || typeof body !== "object") return null;
  const id = (body as Record<string, unknown>).deliveryId;
  return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : null;
}

async function consumeMessage(message: Message<unknown>, queue: string, logical: LogicalQueue | null, db: Db, env: Env): Promise<void> {
  const base = { queue, logicalQueue: logical, messageId: message.id, attempts: message.attempts };
  const h = logical ? HANDLERS[logical] : null;
  if (!h) {
    log("error", "queue message retried: no handler for this queue", base);
    message.retry({ delaySeconds: UNHANDLED_RETRY_SECONDS });
    return;
  }
  const parsed = h.schema.safeParse(message.body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), code: i.code }));
    if (logical === "notify-dead-letter") {
      // The dead-letter queue is the end of the line: retrying would only loop until the queue
      // drops the message. Record what can be read, settle the delivery it names if any, and ack.
      const deliveryId = looseDeliveryId(message.body);
      log("error", "unreadable dead letter recorded and dropped", { ...base, ...describeBody(message.body), issues, deliveryId });
      if (deliveryId) await failUndeliverable(db, deliveryId, `The queue gave up on an unreadable message after ${message.attempts} deliveries`);
      message.ack();
      return;
    }
    log("error", "queue message retried: body does not match the queue's schema", { ...base, ...describeBody(message.body), issues });
    message.retry({ delaySeconds: UNHANDLED_RETRY_SECONDS });
    return;
  }
  await h.handle(message, parsed.data, queue, db, env);
}

/**
 * Queue entry point: dispatches on the batch's queue name (queue/names.ts) to that queue's handler,
 * which validates each body with the queue's schema (queue/messages.ts). Each message is handled
 * on its own (acked or retried individually), so one slow or failing provider call does not hold
 * back the rest of the batch, and nothing is thrown out of here (a throw would retry the whole
 * batch, repeating the calls that succeeded).
 */
export async function consumeQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const logical = logicalQueue(batch.queue, env);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await consumeMessage(message, batch.queue, logical, db, env);
      } catch (err) {
        log("error", "queue message failed", { queue: batch.queue, messageId: message.id, deliveryId: looseDeliveryId(message.body), error: String(err) });
        message.retry({ delaySeconds: FAILED_RETRY_SECONDS });
      }
    }),
  );
}
