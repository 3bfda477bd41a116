import type { z } from "zod";
import { createDb, type Db } from "../db/client";
import type { Env } from "../env";
import { log } from "../lib/log";
import { failUndeliverable, processDeliveries } from "../services/delivery/process";
import { enqueueDeliveries } from "../services/send/enqueue";
import { fanOutChunk } from "../services/fanout/fan-out-chunk";
import { deliverCallbackEvent } from "../services/callbacks/deliver";
import { applyReceipts, type Receipt } from "../services/receipts/apply";
import { cloudflareReceipt, EmailSendingEventSchema, emailEventType } from "../services/receipts/cloudflare";
import { receiptsWired } from "../services/receipts/wired";
import { CallbackEventMessageSchema, DeadLetterMessageSchema, DeliverMessageSchema, FanoutMessageSchema } from "./messages";
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
  /**
   * What becomes of a body that fails the schema: retried (the default: a producer of ours deployed
   * ahead of its consumer) or acknowledged and logged, for a queue fed by someone else, whose
   * unreadable messages no redeploy of ours can make readable.
   */
  unreadable?: "retry" | "ack";
  /** Handles the batch's messages whose bodies passed the schema; each must be acked or retried. */
  handle(messages: { message: Message<unknown>; body: z.infer<S> }[], queue: string, db: Db, env: Env): Promise<void>;
}

const handler = <S extends z.ZodType>(h: QueueHandler<S>) => h;

/** Handles each message on its own, all at once, so one slow message does not hold back the rest. */
const eachMessage =
  <T>(handle: (message: Message<unknown>, body: T, db: Db, env: Env) => Promise<void>) =>
  async (items: { message: Message<unknown>; body: T }[], queue: string, db: Db, env: Env) => {
    await Promise.all(
      items.map(async ({ message, body }) => {
        try {
          await handle(message, body, db, env);
        } catch (err) {
          log("error", "queue message failed", { queue, messageId: message.id, error: String(err) });
          message.retry({ delaySeconds: FAILED_RETRY_SECONDS });
        }
      }),
    );
  };

/**
 * The deliver queue is handled a batch at a time (services/delivery/process.ts): one claim and
 * one write for all of it, provider calls concurrent and batched where the provider allows.
 */
const deliver = handler({
  schema: DeliverMessageSchema,
  async handle(items, _queue, db, env) {
    const dispositions = await processDeliveries(db, env, items.map((i) => i.body.deliveryId));
    const requeue = items.flatMap(({ body }) => {
      const d = dispositions.get(body.deliveryId);
      return d?.action === "requeue" ? [{ ...body, delaySeconds: d.delaySeconds }] : [];
    });
    // Sent again as new messages (the queue's redeliveries stay for real failures); if that fails, retried.
    const requeued = requeue.length > 0 && (await enqueueDeliveries(env, requeue));
    for (const { message, body } of items) {
      const disposition = dispositions.get(body.deliveryId) ?? { action: "ack" };
      if (disposition.action === "ack" || (disposition.action === "requeue" && requeued)) message.ack();
      else message.retry({ delaySeconds: disposition.delaySeconds });
    }
  },
});

const fanout = handler({
  schema: FanoutMessageSchema,
  handle: eachMessage<z.infer<typeof FanoutMessageSchema>>(async (message, body, db, env) => {
    await fanOutChunk(db, env, body);
    message.ack();
  }),
});

/**
 * Status callbacks, one event at a time (each its own POST to a tenant's receiver). A retry is a
 * new message with the schedule's delay, sent by deliverCallbackEvent, so this one is always
 * acknowledged; a throw (D1 unreachable) retries it like any other queue.
 */
const events = handler({
  schema: CallbackEventMessageSchema,
  handle: eachMessage<z.infer<typeof CallbackEventMessageSchema>>(async (message, body, db, env) => {
    await deliverCallbackEvent(db, env, body.eventId);
    message.ack();
  }),
});

/**
 * Cloudflare Email Sending events (services/receipts/cloudflare.ts), the delivery receipts of the
 * `send_email` binding, published here by a Queues event subscription. The batch's receipts are
 * applied in one applyReceipts call, in the order of their event times, exactly as a webhook post
 * is: moved forward once, kept in early_receipts when the delivery is not settled yet, callbacks
 * and suppressions included. Events that are not receipts (another type, another source) and every
 * event while `cloudflare` is not in RECEIPT_PROVIDERS (its acceptance is final there, as its hook
 * would be a 404) are acknowledged and dropped; a throw (D1 unreachable) retries the batch.
 */
const emailEvents = handler({
  schema: EmailSendingEventSchema,
  unreadable: "ack",
  async handle(items, queue, _db, env) {
    const now = new Date();
    const receipts: Receipt[] = [];
    let dropped = 0;
    const wired = receiptsWired(env, "cloudflare");
    for (const { body } of items) {
      const receipt = wired ? cloudflareReceipt(body, now) : null;
      if (receipt) receipts.push(receipt);
      else dropped++;
    }
    if (dropped > 0) {
      // Types and sources only: the events carry addresses and subjects.
      const types = [...new Set(items.map((i) => `${i.body.source?.type ?? "?"}:${emailEventType(i.body.type)}`))].slice(0, 10);
      log(wired ? "info" : "warn", wired ? "email events that are not delivery receipts were dropped" : "email events dropped: cloudflare is not in RECEIPT_PROVIDERS", { queue, dropped, types });
    }
    if (receipts.length > 0) await applyReceipts(env, receipts, { now });
    for (const { message } of items) message.ack();
  },
});

const deadLetter = handler({
  schema: DeadLetterMessageSchema,
  handle: eachMessage<z.infer<typeof DeadLetterMessageSchema>>(async (message, body, db, env) => {
    if ("deliveryId" in body) await failUndeliverable(db, env, body.deliveryId, `The delivery queue gave up after ${message.attempts} deliveries of its message`);
    // A chunk the fan-out could not store: its rows are recorded as technical failures, not lost.
    else await fanOutChunk(db, env, body, `The fan-out gave up on this chunk of the merge after ${message.attempts} attempts`);
    message.ack();
  }),
});

/**
 * One handler per logical queue. A queue mapped to null has no consumer: its messages are
 * retried, never acknowledged, so none is lost before a consumer exists.
 */
const HANDLERS: Record<LogicalQueue, QueueHandler<z.ZodType> | null> = {
  "notify-deliver": deliver as QueueHandler<z.ZodType>,
  "notify-dead-letter": deadLetter as QueueHandler<z.ZodType>,
  "notify-fanout": fanout as QueueHandler<z.ZodType>,
  "notify-events": events as QueueHandler<z.ZodType>,
  "notify-email-events": emailEvents as QueueHandler<z.ZodType>,
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

/**
 * A message's body checked against its queue's schema, or null when the message was dealt with
 * here: no handler for the queue, or a body that does not match (retried; a dead letter is
 * recorded and acknowledged instead, since it has nowhere further to go).
 */
async function readMessage<S extends z.ZodType>(message: Message<unknown>, queue: string, logical: LogicalQueue | null, h: QueueHandler<S> | null, db: Db, env: Env): Promise<z.infer<S> | null> {
  const base = { queue, logicalQueue: logical, messageId: message.id, attempts: message.attempts };
  if (!h) {
    log("error", "queue message retried: no handler for this queue", base);
    message.retry({ delaySeconds: UNHANDLED_RETRY_SECONDS });
    return null;
  }
  const parsed = h.schema.safeParse(message.body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join("."), code: i.code }));
  if (logical === "notify-dead-letter") {
    // The dead-letter queue is the end of the line: retrying would only loop until the queue
    // drops the message. Record what can be read, settle the delivery it names if any, and ack.
    const deliveryId = looseDeliveryId(message.body);
    log("error", "unreadable dead letter recorded and dropped", { ...base, ...describeBody(message.body), issues, deliveryId });
    if (deliveryId) await failUndeliverable(db, env, deliveryId, `The queue gave up on an unreadable message after ${message.attempts} deliveries`);
    message.ack();
    return null;
  }
  if (h.unreadable === "ack") {
    log("warn", "queue message dropped: body does not match the queue's schema", { ...base, ...describeBody(message.body), issues });
    message.ack();
    return null;
  }
  log("error", "queue message retried: body does not match the queue's schema", { ...base, ...describeBody(message.body), issues });
  message.retry({ delaySeconds: UNHANDLED_RETRY_SECONDS });
  return null;
}

/**
 * Queue entry point: dispatches on the batch's queue name (queue/names.ts) to that queue's handler,
 * with the messages whose bodies match the queue's schema (queue/messages.ts). Every message is
 * acked or retried on its own, and nothing is thrown out of here (a throw would retry the whole
 * batch, repeating the calls that succeeded); a handler that throws has its messages retried.
 */
export async function consumeQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const logical = logicalQueue(batch.queue, env);
  const h = logical ? HANDLERS[logical] : null;
  const items: { message: Message<unknown>; body: unknown }[] = [];
  for (const message of batch.messages) {
    try {
      const body = await readMessage(message, batch.queue, logical, h, db, env);
      if (body !== null) items.push({ message, body });
    } catch (err) {
      log("error", "queue message failed", { queue: batch.queue, messageId: message.id, deliveryId: looseDeliveryId(message.body), error: String(err) });
      message.retry({ delaySeconds: FAILED_RETRY_SECONDS });
    }
  }
  if (!h || items.length === 0) return;
  try {
    await h.handle(items, batch.queue, db, env);
  } catch (err) {
    log("error", "queue batch failed", { queue: batch.queue, messages: items.length, error: String(err) });
    for (const { message } of items) message.retry({ delaySeconds: FAILED_RETRY_SECONDS });
  }
}
