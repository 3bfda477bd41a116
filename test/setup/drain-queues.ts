import { afterAll } from "vitest";
import { MAX_WAIT_MS, settleQueues, trackQueues } from "../helpers/queues";

// Each file's queue work is finished before the next file starts (helpers/queues.ts).
trackQueues();
afterAll(() => settleQueues(), MAX_WAIT_MS + 5_000);
