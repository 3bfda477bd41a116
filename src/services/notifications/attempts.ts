import { and, desc, eq } from "drizzle-orm";
import { ownedNotificationId } from "./owned";
import type { ServiceContext } from "../context";
import { olderThan } from "../../db/keyset";
import { type AttemptOutcome, type Channel, deliveries, deliveryAttempts, type DeliveryAttemptRow, messages } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";

/** One provider attempt as the tenant sees it. */
export interface AttemptView {
  attemptId: string;
  /** The provider call it belongs to: an email's recipients share one, each SMS has its own. */
  deliveryId: string;
  channel: Channel;
  attempt: number;
  provider: string;
  outcome: AttemptOutcome;
  startedAt: string;
  endedAt: string;
  httpStatus: number | null;
  error: { code: string; message: string } | null;
  providerMessageId: string | null;
}

export interface AttemptFilter {
  /** Only the attempts of this message's delivery. */
  messageId?: string;
}

function toView(row: DeliveryAttemptRow, channel: Channel): AttemptView {
  return {
    attemptId: row.id,
    deliveryId: row.deliveryId,
    channel,
    attempt: row.attempt,
    provider: row.provider,
    outcome: row.outcome,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt.toISOString(),
    httpStatus: row.httpStatus,
    error: row.errorCode !== null ? { code: row.errorCode, message: row.errorMessage ?? "" } : null,
    providerMessageId: row.providerMessageId,
  };
}

/**
 * A page of a notification's provider attempts, newest first by (startedAt, id) with a keyset
 * cursor (delivery_attempts_page_idx), optionally only those of one message. Another tenant's
 * notification, or a message not in it, answers 404 like an unknown one.
 *
 * @example
 * ```ts
 * const page = await listNotificationAttempts(ctx, notifyId, { messageId }, { limit: 50 });
 * page.items.map((a) => `${a.attempt} ${a.provider} ${a.outcome}`) // ["2 postmark accepted", "1 ses retryable"]
 * ```
 */
export async function listNotificationAttempts(ctx: ServiceContext, notifyId: string, filter: AttemptFilter, page: PageRequest): Promise<Page<AttemptView>> {
  const id = await ownedNotificationId(ctx, notifyId);
  let deliveryId: string | undefined;
  if (filter.messageId) {
    const [message] = await ctx.db
      .select({ deliveryId: messages.deliveryId })
      .from(messages)
      .where(and(eq(messages.id, filter.messageId.toLowerCase()), eq(messages.notificationId, id), eq(messages.tenantId, ctx.tenant.id)))
      .limit(1);
    if (!message) throw new ApiError("not_found", { detail: `No message ${filter.messageId} in notification ${notifyId}` });
    deliveryId = message.deliveryId;
  }
  const rows = await ctx.db
    .select({ attempt: deliveryAttempts, channel: deliveries.channel })
    .from(deliveryAttempts)
    .innerJoin(deliveries, eq(deliveries.id, deliveryAttempts.deliveryId))
    .where(
      and(
        eq(deliveryAttempts.notificationId, id),
        eq(deliveryAttempts.tenantId, ctx.tenant.id),
        deliveryId ? eq(deliveryAttempts.deliveryId, deliveryId) : undefined,
        olderThan(deliveryAttempts.startedAt, deliveryAttempts.id, page.cursor),
      ),
    )
    .orderBy(desc(deliveryAttempts.startedAt), desc(deliveryAttempts.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.attempt.startedAt.getTime(), id: r.attempt.id }), (r) => toView(r.attempt, r.channel));
}

