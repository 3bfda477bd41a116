import { and, desc, eq } from "drizzle-orm";
import { ownedNotificationId } from "./owned";
import type { ServiceContext } from "../context";
import { olderThan } from "../../db/keyset";
import { type Channel, deliveries, type MessageStatus, messages } from "../../db/schema";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import { type MessageView, toMessageView } from "./notifications";

export interface MessageFilter {
  status?: MessageStatus;
  channel?: Channel;
}

/**
 * One page of a notification's messages, newest first by (createdAt, id) with a keyset cursor, so
 * a merge's 50,000 recipients are read a page at a time and pages do not shift while the fan-out
 * is still adding messages. Served by messages_page_idx (notification_id, created_at, id) and,
 * with a status filter, messages_status_page_idx (notification_id, status, created_at, id):
 * each page reads `limit + 1` index entries rather than every message of the notification.
 * Another tenant's notification answers 404 like an unknown one.
 *
 * @example
 * ```ts
 * const first = await listNotificationMessages(ctx, notifyId, { status: "technical-failure" }, { limit: 50 });
 * const next = first.nextCursor ? await listNotificationMessages(ctx, notifyId, {}, toPageRequest({ limit: 50, cursor: first.nextCursor })) : null;
 * ```
 */
export async function listNotificationMessages(ctx: ServiceContext, notifyId: string, filter: MessageFilter, page: PageRequest): Promise<Page<MessageView>> {
  const id = await ownedNotificationId(ctx, notifyId);
  const rows = await ctx.db
    .select({ message: messages, delivery: deliveries })
    .from(messages)
    .innerJoin(deliveries, eq(deliveries.id, messages.deliveryId))
    .where(
      and(
        eq(messages.notificationId, id),
        // Redundant after the check above, and kept so that no future edit of it leaks a row.
        eq(messages.tenantId, ctx.tenant.id),
        filter.status ? eq(messages.status, filter.status) : undefined,
        filter.channel ? eq(messages.channel, filter.channel) : undefined,
        olderThan(messages.createdAt, messages.id, page.cursor),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.message.createdAt.getTime(), id: r.message.id }), (r) => toMessageView(r.message, r.delivery));
}
