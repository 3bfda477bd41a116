import { z } from "zod";
import type { DeliverMessage } from "../services/send/enqueue";
import type { FanoutMessage } from "../services/fanout/start";
import type { CallbackEventMessage } from "../services/callbacks/enqueue";

/**
 * The body of a notify-deliver message, as services/send/enqueue.ts sends it. Unknown keys are
 * stripped rather than refused so that a producer deployed a moment before its consumer (adding
 * a field) is not retried into the dead-letter queue.
 */
export const DeliverMessageSchema = z.object({
  deliveryId: z.uuid(),
  tenantId: z.uuid(),
});

// The producer's type and the consumer's schema must describe the same message: if either side
// changes alone, one of these lines stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _deliverMatchesProducer: Same<z.infer<typeof DeliverMessageSchema>, DeliverMessage> = true;
void _deliverMatchesProducer;

/** The body of a notify-fanout message, as services/fanout/start.ts sends it: one chunk of a merge. */
export const FanoutMessageSchema = z.object({
  notifyId: z.uuid(),
  tenantId: z.uuid(),
  channel: z.enum(["email", "sms"]),
  chunk: z.number().int().min(0).max(10_000),
});

const _fanoutMatchesProducer: Same<z.infer<typeof FanoutMessageSchema>, FanoutMessage> = true;
void _fanoutMatchesProducer;

/** The body of a notify-events message, as services/callbacks/enqueue.ts sends it: one outbox row. */
export const CallbackEventMessageSchema = z.object({
  eventId: z.string().regex(/^evt_[0-9a-f]{32}$/),
});

const _eventMatchesProducer: Same<z.infer<typeof CallbackEventMessageSchema>, CallbackEventMessage> = true;
void _eventMatchesProducer;

/**
 * What the dead-letter queue receives: any message a consumer gave up on, from notify-deliver (a
 * delivery) or notify-fanout (a chunk of a merge); anything else is still recorded (see
 * queue/consumer.ts) because a dead letter has nowhere further to go.
 */
export const DeadLetterMessageSchema = z.union([DeliverMessageSchema, FanoutMessageSchema]);
