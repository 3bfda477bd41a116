import { z } from "zod";
import type { DeliverMessage } from "../services/send/enqueue";
import type { FanoutMessage } from "../services/fanout/start";

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

/**
 * What the dead-letter queue receives: any message a consumer gave up on, from notify-deliver (a
 * delivery) or notify-fanout (a chunk of a merge); anything else is still recorded (see
 * queue/consumer.ts) because a dead letter has nowhere further to go.
 */
export const DeadLetterMessageSchema = z.union([DeliverMessageSchema, FanoutMessageSchema]);
