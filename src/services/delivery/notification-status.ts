import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { notifications } from "../../db/schema";

/**
 * Recomputes a notification's overall status from its message rows, as one UPDATE that can join
 * the batch that changed the messages (so the two never disagree):
 * - anything still queued or in progress: `sending` once something was attempted, else `accepted`;
 * - otherwise anything scheduled: `scheduled` (or `sending` if part of it is already done);
 * - all finished: `delivered` when every non-cancelled message was delivered, `failed` when none
 *   was, `partially-failed` in between, and `cancelled` when everything was cancelled.
 */
export function refreshNotificationStatus(db: Db, notificationId: string, now: Date) {
  return db
    .update(notifications)
    .set({
      updatedAt: now,
      status: sql`(
        SELECT CASE
          WHEN SUM(status <> 'cancelled') = 0 THEN 'cancelled'
          WHEN SUM(status IN ('created', 'sending')) > 0 THEN
            CASE WHEN SUM(status NOT IN ('created', 'scheduled', 'cancelled')) > 0 THEN 'sending' ELSE 'accepted' END
          WHEN SUM(status = 'scheduled') > 0 THEN
            CASE WHEN SUM(status NOT IN ('scheduled', 'cancelled')) > 0 THEN 'sending' ELSE 'scheduled' END
          WHEN SUM(status NOT IN ('delivered', 'cancelled')) = 0 THEN 'delivered'
          WHEN SUM(status = 'delivered') = 0 THEN 'failed'
          ELSE 'partially-failed'
        END
        FROM messages WHERE notification_id = ${notificationId}
      )`,
    })
    .where(eq(notifications.id, notificationId));
}
