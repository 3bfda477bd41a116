import { z } from "zod";
import type { DeliverMessage } from "../services/send/enqueue";

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

/**
 * What the dead-letter queue receives: any message a consumer gave up on. Today only notify-deliver
 * dead-letters here, so a deliver body is what it expects; anything else is still recorded (see
 * queue/consumer.ts) because a dead letter has nowhere further to go.
 */
export const DeadLetterMessageSchema = DeliverMessageSchema;
