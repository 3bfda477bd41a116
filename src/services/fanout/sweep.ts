import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { notifications } from "../../db/schema";
import type { Env } from "../../env";
import { REQUEUE_AFTER_MS } from "../delivery/sweep";
import { type FanoutChannel, fanoutKeys, type FanoutManifest } from "./manifest";
import { enqueueChunks, type FanoutMessage } from "./start";

/** Fan-outs looked at per cron run: each costs one R2 read and one sendBatch per 100 chunks. */
const FANOUTS_PER_RUN = 20;

/**
 * Sends again the chunk messages of fan-outs that made no progress for REQUEUE_AFTER_MS (their
 * messages lost on the way to the queue, or a queue outage when the merge was accepted). Every
 * chunk is sent again: the consumer finds the stored ones stored and only re-enqueues what they
 * still have waiting, so a chunk is never stored twice.
 */
export async function requeueStalledFanouts(db: Db, env: Env, now: Date): Promise<number> {
  const stalled = await db
    .select({ id: notifications.id, tenantId: notifications.tenantId })
    .from(notifications)
    .where(and(gt(notifications.pendingChunks, 0), lt(notifications.updatedAt, new Date(now.getTime() - REQUEUE_AFTER_MS))))
    .limit(FANOUTS_PER_RUN);
  let sent = 0;
  for (const n of stalled) {
    const object = await env.BUCKET.get(fanoutKeys.manifest(n.tenantId, n.id));
    if (!object) continue;
    const manifest = (await object.json()) as FanoutManifest;
    const messages: FanoutMessage[] = (Object.entries(manifest.channels) as [FanoutChannel, FanoutManifest["channels"][FanoutChannel]][]).flatMap(([channel, stored]) =>
      (stored?.chunks ?? []).map((_, chunk) => ({ notifyId: n.id, tenantId: n.tenantId, channel, chunk })),
    );
    if (await enqueueChunks(env, messages)) {
      // Touched, so the next run waits another REQUEUE_AFTER_MS before sending them again.
      await db.update(notifications).set({ updatedAt: now }).where(eq(notifications.id, n.id));
      sent += messages.length;
    }
  }
  return sent;
}
