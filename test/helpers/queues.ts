import { env } from "cloudflare:workers";
import worker from "../../src/index";

// Test files share one runtime per vitest worker (vitest.config.ts: isolate false), and with it
// the real queues. A file that sends and ends before its queue messages are consumed would have
// them delivered during the next file, into that file's provider mocks (or, once its own mocks
// are closed, to the real provider hosts). So a file waits, before it closes its provider mocks
// (helpers/providers.ts) and after its last test (setup/drain-queues.ts), until every message it
// sent, or a consumer sent in turn, has been taken by a consumer and every consumer batch has
// finished. Retries with a delay and sends delayed on purpose are not waited for: tests that
// make them check them in their own time.

/** Messages sent for delivery within this long are waited for; later ones are left to their time. */
const SOON_SECONDS = 2;
/** A file never waits longer than this for its queue work (a stuck test is the test's to report). */
export const MAX_WAIT_MS = 20_000;

interface Tracker {
  /** Sent, due soon, and not yet seen by a consumer for the first time. */
  outstanding: number;
  /** Consumer batches running now. */
  batches: number;
}

const KEY = Symbol.for("edge-notify.test.queue-tracker");
const state = globalThis as unknown as Record<symbol, Tracker | undefined>;

function track(): Tracker {
  const existing = state[KEY];
  if (existing) return existing;
  const tracker: Tracker = { outstanding: 0, batches: 0 };
  state[KEY] = tracker;
  return tracker;
}

/**
 * Wraps the queue bindings and the Worker's queue handler (once per runtime) to count messages
 * sent and not yet consumed, and consumer batches running. Called by the setup file.
 */
export function trackQueues(): void {
  const tracker = track();
  // Producers: every queue binding, wrapped once per runtime.
  for (const [name, binding] of Object.entries(env as unknown as Record<string, unknown>)) {
    const queue = binding as Queue & { [KEY]?: true };
    if (Object.prototype.toString.call(queue) !== "[object WorkerQueue]" || queue[KEY]) continue;
    const send = queue.send.bind(queue);
    const sendBatch = queue.sendBatch.bind(queue);
    const soon = (delaySeconds: number | undefined) => (delaySeconds ?? 0) <= SOON_SECONDS;
    const wrapped = Object.assign(Object.create(queue) as Queue, {
      [KEY]: true,
      send: async (body: unknown, options?: QueueSendOptions) => {
        const counted = soon(options?.delaySeconds) ? 1 : 0;
        tracker.outstanding += counted;
        try {
          return await send(body, options);
        } catch (err) {
          tracker.outstanding -= counted;
          throw err;
        }
      },
      sendBatch: async (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => {
        const list = [...messages];
        const counted = list.filter((m) => soon(m.delaySeconds ?? options?.delaySeconds)).length;
        tracker.outstanding += counted;
        try {
          return await sendBatch(list, options);
        } catch (err) {
          tracker.outstanding -= counted;
          throw err;
        }
      },
    });
    Object.defineProperty(env, name, { value: wrapped, configurable: true, enumerable: true, writable: true });
  }

  // Consumers: the Worker's queue handler, wrapped once per runtime.
  const handler = worker as unknown as { queue: (batch: MessageBatch, ...rest: unknown[]) => Promise<void>; [KEY]?: true };
  if (!handler[KEY]) {
    const queue = handler.queue;
    handler[KEY] = true;
    handler.queue = async (batch, ...rest) => {
      tracker.batches++;
      // A test's own made-up batch (createMessageBatch) was never sent: never below zero.
      tracker.outstanding = Math.max(0, tracker.outstanding - batch.messages.filter((m) => m.attempts <= 1).length);
      try {
        return await queue(batch, ...rest);
      } finally {
        tracker.batches--;
      }
    };
  }
}

/**
 * Resolves once every queue message sent (due within SOON_SECONDS) has been taken by a consumer
 * and no consumer batch is running, or after `maxWaitMs`.
 *
 * @example
 * ```ts
 * afterAll(() => settleQueues());
 * ```
 */
export async function settleQueues(maxWaitMs = MAX_WAIT_MS): Promise<void> {
  const tracker = state[KEY];
  if (!tracker) return;
  const deadline = Date.now() + maxWaitMs;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const idle = tracker.outstanding <= 0 && tracker.batches === 0;
    if (!idle) quietSince = 0;
    else if (quietSince === 0) quietSince = Date.now();
    // A batch may enqueue its follow-ups just as it ends: idle must hold a moment.
    else if (Date.now() - quietSince >= 50) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  // What is left (messages a test never let be consumed) is not the next file's to wait for.
  tracker.outstanding = 0;
}
