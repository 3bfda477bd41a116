import { createDb } from "../db/client";
import type { Env } from "../env";
import { log } from "../lib/log";
import { expireLostAttempts, expireStuckSending, releaseDueDeliveries, requeueStaleDeliveries } from "../services/delivery/sweep";
import { requeueStalledFanouts } from "../services/fanout/sweep";
import { requeueLostCallbackEvents } from "../services/callbacks/sweep";
import { sweepEarlyReceipts } from "../services/receipts/early";
import { sweepExpiredEmailFiles } from "../services/email-files/sweep";
import { sweepAdminIdentity } from "../services/admin-identity/sweep";
import { sweepMergeUploads } from "../services/send/merge/uploads";
import { sweepReceivedTexts } from "../services/received-texts/retention";

/**
 * The every-minute cron: release delayed sends that are due, re-enqueue deliveries and merge
 * chunks the queue never saw, settle attempts whose worker vanished, and fail messages left in
 * `sending` for 72 hours, re-enqueue status callbacks whose queue message was lost, and apply or
 * expire delivery receipts kept because they came before their delivery was settled, and delete
 * files sent by email whose retention period has passed, and delete expired admin sessions, used or
 * expired sign-in links and old sign-in attempt counters, and delete the admin UI's mail-merge
 * uploads older than a day, and delete received text messages older than their retention.
 */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const now = new Date(controller.scheduledTime);
  const released = await releaseDueDeliveries(db, env, now);
  const requeued = await requeueStaleDeliveries(db, env, now);
  const expired = await expireLostAttempts(db, env, now);
  const chunks = await requeueStalledFanouts(db, env, now);
  const stuck = await expireStuckSending(db, env, now);
  const callbacks = await requeueLostCallbackEvents(db, env, now);
  const early = await sweepEarlyReceipts(db, env, now);
  const expiredFiles = await sweepExpiredEmailFiles(db, env, now);
  const admin = await sweepAdminIdentity(env, now);
  const adminSwept = admin.sessions + admin.links + admin.attempts;
  const mergeUploads = await sweepMergeUploads(env, now);
  const receivedTexts = await sweepReceivedTexts(env, now);
  if (released || requeued || expired || chunks || stuck || callbacks || early.applied || early.expired || expiredFiles || adminSwept || mergeUploads || receivedTexts) {
    log("info", "cron", { cron: controller.cron, released, requeued, expired, chunks, stuck, callbacks, earlyReceipts: early, expiredFiles, admin, mergeUploads, receivedTexts });
  }
}
