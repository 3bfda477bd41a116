import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import type { ServiceContext } from "../context";
import type { Resolution } from "../send/plan";
import { olderThan } from "../../db/keyset";
import {
  type ApiKeyType,
  type Channel,
  deliveries,
  type DeliveryError,
  type DeliveryRow,
  type MessageRow,
  type MessageStatus,
  messages,
  type NotificationRow,
  type NotificationStatus,
  notifications,
} from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import { countMove, deriveStatus, statusCounts } from "../delivery/notification-status";
import { callbackEvents, eventIdsOf } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";


export interface MessageView {
  messageId: string;
  channel: Channel;
  recipient: string;
  role: "to" | "cc" | "bcc" | null;
  status: MessageStatus;
  provider: string;
  providerMessageId: string | null;
  attempts: number;
  templateId: string | null;
  templateVersion: number | null;
  createdAt: string;
  updatedAt: string;
  scheduledFor: string | null;
  sentAt: string | null;
  completedAt: string | null;
  error: DeliveryError | null;
}

export interface NotificationSummary {
  notifyId: string;
  status: NotificationStatus;
  source: string;
  keyType: ApiKeyType;
  correlationId: string | null;
  tags: string[];
  channels: Channel[];
  messageCount: number;
  scheduledFor: string | null;
  /** The event type a /notifyevent send resolved, by code and version; null for simple sends. */
  eventType: { code: string; version: number } | null;
  createdAt: string;
  updatedAt: string;
}

export interface NotificationView extends NotificationSummary {
  counts: Partial<Record<MessageStatus, number>>;
  /** Messages in a final status, of all the notification's messages (a merge's progress). */
  progress: { done: number; total: number; percent: number };
  /** The first INLINE_MESSAGES messages; all of them, a page at a time, at `messagesUrl`. */
  messages: MessageView[];
  /** True when the notification has more messages than `messages` shows. */
  messagesTruncated: boolean;
  messagesUrl: string;
  /** Where each resolved value came from (services/send/plan.ts Resolution). */
  resolution: Resolution | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSummary(row: NotificationRow): NotificationSummary {
  return {
    notifyId: row.id,
    status: row.status,
    source: row.source,
    keyType: row.keyType,
    correlationId: row.correlationId,
    tags: row.tags,
    channels: row.channels,
    messageCount: row.messageCount,
    scheduledFor: iso(row.scheduledFor),
    eventType: row.eventTypeCode !== null && row.eventTypeVersion !== null ? { code: row.eventTypeCode, version: row.eventTypeVersion } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toMessageView(
  message: MessageRow,
  delivery: Pick<DeliveryRow, "provider" | "providerMessageId" | "attempts" | "templateId" | "templateVersion" | "scheduledFor" | "lastError">,
): MessageView {
  return {
    messageId: message.id,
    channel: message.channel,
    recipient: message.recipient,
    role: message.role,
    status: message.status,
    provider: delivery.provider,
    providerMessageId: delivery.providerMessageId,
    attempts: delivery.attempts,
    templateId: delivery.templateId,
    templateVersion: delivery.templateVersion,
    createdAt: message.createdAt.toISOString(),
    updatedAt: message.updatedAt.toISOString(),
    scheduledFor: iso(delivery.scheduledFor),
    sentAt: iso(message.sentAt),
    completedAt: iso(message.completedAt),
    error: message.error ?? (TERMINAL_FAILURES.has(message.status) || message.status === "sending" ? delivery.lastError : null),
  };
}

const TERMINAL_FAILURES: ReadonlySet<MessageStatus> = new Set(["permanent-failure", "temporary-failure", "technical-failure"]);

/**
 * Messages a notification's view carries inline. A merge has up to 100,000; past this the view
 * says so (`messagesTruncated`) and they are read a page at a time from `messagesUrl`.
 */
export const INLINE_MESSAGES = 100;

/**
 * A tenant's notification with its counts and its first INLINE_MESSAGES messages (by channel,
 * then as created); another tenant's id answers 404 like an unknown one. Reads stay bounded
 * whatever the notification's size: the messages come in creation order through their page
 * index, and only the delivery columns a message view shows are read (never the payload).
 */
export async function getNotification(ctx: ServiceContext, notifyId: string): Promise<NotificationView> {
  const id = notifyId.toLowerCase();
  // Two queries rather than one batch: drizzle maps batched rows by column name, which a join
  // of two tables sharing column names (id, tenant_id…) would scramble.
  const found = await ctx.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.tenantId, ctx.tenant.id)))
    .limit(1);
  const notification = found[0];
  if (!notification) throw new ApiError("not_found", { detail: `No notification ${notifyId}` });
  const rows = await ctx.db
    .select({
      message: messages,
      delivery: {
        provider: deliveries.provider,
        providerMessageId: deliveries.providerMessageId,
        attempts: deliveries.attempts,
        templateId: deliveries.templateId,
        templateVersion: deliveries.templateVersion,
        scheduledFor: deliveries.scheduledFor,
        lastError: deliveries.lastError,
      },
    })
    .from(messages)
    .innerJoin(deliveries, eq(deliveries.id, messages.deliveryId))
    .where(and(eq(messages.notificationId, id), eq(messages.tenantId, ctx.tenant.id)))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(INLINE_MESSAGES + 1);
  const truncated = rows.length > INLINE_MESSAGES || notification.messageCount > INLINE_MESSAGES;
  const shown = rows.slice(0, INLINE_MESSAGES);
  // By channel first (email, msgApp, sms), each in creation order, as the view always listed them.
  const channelOrder = (c: string) => ["email", "msgApp", "sms"].indexOf(c);
  shown.sort((a, b) => channelOrder(a.message.channel) - channelOrder(b.message.channel));
  const counts = statusCounts(notification);
  return {
    ...toSummary(notification),
    counts,
    progress: progressOf(notification.messageCount, counts),
    messages: shown.map((r) => toMessageView(r.message, r.delivery)),
    messagesTruncated: truncated,
    messagesUrl: `${ctx.origin}/api/v1/notify/${notification.id}/messages`,
    resolution: (notification.resolution as Resolution | null) ?? null,
  };
}

const FINAL: readonly MessageStatus[] = ["delivered", "permanent-failure", "temporary-failure", "technical-failure", "cancelled"];

/**
 * How far a notification has got: messages in a final status, of all of them.
 *
 * @example
 * ```ts
 * progressOf(4, { delivered: 2, sending: 1, "technical-failure": 1 }) // { done: 3, total: 4, percent: 75 }
 * ```
 */
export function progressOf(total: number, counts: Partial<Record<MessageStatus, number>>): { done: number; total: number; percent: number } {
  const done = FINAL.reduce((n, status) => n + (counts[status] ?? 0), 0);
  return { done, total, percent: total === 0 ? 100 : Math.floor((done / total) * 1000) / 10 };
}

export interface HistoryFilter {
  correlationId?: string;
  status?: NotificationStatus;
  channel?: Channel;
  tag?: string;
  /** The type of key that sent it: `test` finds test sends (the admin UI's Activity filter). */
  keyType?: ApiKeyType;
  from?: Date;
  to?: Date;
}

/** History search, newest first, with a keyset cursor so pages do not shift as sends arrive. */
export async function listNotifications(ctx: ServiceContext, filter: HistoryFilter, page: PageRequest): Promise<Page<NotificationSummary>> {
  const rows = await ctx.db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.tenantId, ctx.tenant.id),
        filter.correlationId !== undefined ? eq(notifications.correlationId, filter.correlationId) : undefined,
        filter.status ? eq(notifications.status, filter.status) : undefined,
        filter.keyType ? eq(notifications.keyType, filter.keyType) : undefined,
        filter.channel ? sql`EXISTS (SELECT 1 FROM json_each(${notifications.channels}) WHERE value = ${filter.channel})` : undefined,
        filter.tag !== undefined ? sql`EXISTS (SELECT 1 FROM json_each(${notifications.tags}) WHERE value = ${filter.tag})` : undefined,
        filter.from ? gte(notifications.createdAt, filter.from) : undefined,
        filter.to ? lte(notifications.createdAt, filter.to) : undefined,
        olderThan(notifications.createdAt, notifications.id, page.cursor),
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, (r) => ({ t: r.createdAt.getTime(), id: r.id }), toSummary);
}

/**
 * Cancels every delivery not yet handed to a provider (scheduled, queued, or waiting to retry).
 * Deliveries already attempted or finished are left alone and counted as they are. Nothing left
 * to cancel is a 409. The state checks make this safe against a consumer claiming at the same time.
 */
export interface CancelResult extends NotificationSummary {
  counts: NotificationView["counts"];
  /** Messages this request cancelled. */
  cancelled: number;
}

export async function cancelNotification(ctx: ServiceContext, notifyId: string): Promise<CancelResult> {
  const id = notifyId.toLowerCase();
  const now = ctx.now;
  const current = await getNotification(ctx, id);
  const db = ctx.db;
  // The messages go first, while their deliveries are still in a cancellable state, so the
  // statement that counts them and the UPDATE that cancels them match the same rows.
  const cancellable = and(
    eq(messages.notificationId, id),
    inArray(messages.status, ["scheduled", "created", "sending"]),
    sql`${messages.deliveryId} IN (SELECT id FROM deliveries WHERE notification_id = ${id} AND tenant_id = ${ctx.tenant.id} AND state IN ('scheduled', 'queued', 'retry_wait'))`,
  );
  const [, emitted, cancelledMessages, cancelled, fanout] = await db.batch([
    countMove(db, cancellable, "cancelled", now),
    callbackEvents(db, cancellable, "cancelled", now),
    db.update(messages).set({ status: "cancelled", updatedAt: now, completedAt: now }).where(cancellable).returning({ id: messages.id }),
    db
      .update(deliveries)
      .set({ state: "cancelled", updatedAt: now })
      .where(and(eq(deliveries.notificationId, id), eq(deliveries.tenantId, ctx.tenant.id), inArray(deliveries.state, ["scheduled", "queued", "retry_wait"])))
      .returning({ id: deliveries.id }),
    // A merge still being fanned out: the chunks not yet stored will be stored cancelled (services/fanout).
    db
      .update(notifications)
      .set({ cancelRequestedAt: now, updatedAt: now })
      .where(and(eq(notifications.id, id), eq(notifications.tenantId, ctx.tenant.id), gt(notifications.pendingChunks, 0), isNull(notifications.cancelRequestedAt)))
      .returning({ id: notifications.id }),
    deriveStatus(db, id),
  ]);
  await enqueueCallbackEvents(ctx.env, eventIdsOf(emitted));
  if (cancelled.length === 0 && fanout.length === 0) {
    throw new ApiError("conflict", {
      detail: `Nothing left to cancel: notification ${current.notifyId} is ${current.status}`,
    });
  }
  // Cancelling needs only `send`: the answer says what changed, not who the recipients are (that is `read`).
  const { messages: _recipients, messagesTruncated: _t, messagesUrl: _u, resolution: _resolution, ...after } = await getNotification(ctx, id);
  return { ...after, cancelled: cancelledMessages.length };
}
