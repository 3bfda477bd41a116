import { type Channel, deliveries, type DeliveryRow, type MessageRow, messages, type NotificationRow, notifications } from "../../db/schema";
import { jsonInsert, jsonInsertIf, prepared } from "../../db/json-rows";
import type { SuppressionRow } from "../../db/schema";
import type { suppressionCheck } from "../suppressions/suppressions";
import { initialCounts, overallStatus, statusCounts } from "../delivery/notification-status";
import { uuidv7 } from "../../lib/ids";
import { and, eq } from "drizzle-orm";
import { eventIdsOf, storedCallbackEvents } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";
import { attachmentKey } from "./attachments";
import type { SendContext } from "./context";
import type { EmailPayload, PlannedDelivery } from "./payloads";
import type { Plan } from "./plan";
import { emailFileInsert, putEmailFiles } from "../email-files/store";

export interface StoredNotification {
  notification: NotificationRow;
  deliveries: DeliveryRow[];
  messageCount: number;
}

/**
 * Persists a planned notification: attachments to R2 first (under the tenant), then the
 * notification, its deliveries and its message rows in one D1 batch, which is atomic. If the
 * batch fails the R2 objects are removed, so a refused request leaves nothing behind.
 */
/** A notification whose merges are fanned out: their rows become messages later, chunk by chunk (services/fanout). */
export interface FanoutPart {
  /** The id, chosen before storing so the merge's chunks could be written under it. */
  id: string;
  channels: Channel[];
  /** Chunks the notify-fanout consumer has yet to turn into messages. */
  pendingChunks: number;
  /** Messages those chunks are expected to make (corrected chunk by chunk as they are made). */
  messages: number;
  /** When the merge's messages are due, if it is a delayed send. */
  scheduledFor: Date | null;
}

/** A send's suppression check done in its store batch (suppressions.ts suppressionCheck). */
export type StoreGuard = NonNullable<ReturnType<typeof suppressionCheck>>;

/**
 * Stores as storeNotification does, but only if none of the plan's recipients is suppressed,
 * checked in the same batch (`guard`): either everything is written, or nothing is and the
 * suppressed recipients found are answered, for the caller to plan again without them.
 */
export async function storeUnlessSuppressed(
  ctx: SendContext,
  plan: Plan,
  source: string,
  notifyId: string | undefined,
  guard: StoreGuard,
): Promise<StoredNotification | { suppressed: Map<string, SuppressionRow> }> {
  return storeNotification(ctx, plan, source, undefined, notifyId, guard);
}

export async function storeNotification(ctx: SendContext, plan: Plan, source: string, fanout?: FanoutPart, notifyId?: string): Promise<StoredNotification>;
export async function storeNotification(
  ctx: SendContext,
  plan: Plan,
  source: string,
  fanout: FanoutPart | undefined,
  notifyId: string | undefined,
  guard: StoreGuard,
): Promise<StoredNotification | { suppressed: Map<string, SuppressionRow> }>;
export async function storeNotification(
  ctx: SendContext,
  plan: Plan,
  source: string,
  fanout?: FanoutPart,
  notifyId?: string,
  guard?: StoreGuard,
): Promise<StoredNotification | { suppressed: Map<string, SuppressionRow> }> {
  const id = fanout?.id ?? notifyId ?? uuidv7(ctx.now.getTime());
  const now = ctx.now;
  const keys = plan.attachments.map((a, i) => attachmentKey(ctx.tenant.id, id, i, a.filename));
  await Promise.all(
    plan.attachments.map((a, i) => ctx.env.BUCKET.put(keys[i]!, a.content, { httpMetadata: { contentType: a.contentType } })),
  );

  const { deliveryRows, messageRows } = plannedRows(ctx.tenant.id, id, plan.deliveries, keys, now);
  // Files sent by email, when an email still carries their links (suppression may have removed it).
  const linkedFiles = plan.emailFiles && deliveryRows.some((d) => d.channel === "email" && d.state !== "done") ? plan.emailFiles : [];
  let files: Awaited<ReturnType<typeof putEmailFiles>>;
  try {
    files = await putEmailFiles(ctx.env.BUCKET, ctx.tenant.id, id, linkedFiles, now);
  } catch (err) {
    await ctx.env.BUCKET.delete(keys).catch(() => undefined);
    throw err;
  }

  const scheduledTimes = [...deliveryRows.filter((d) => d.state === "scheduled").map((d) => d.scheduledFor!), ...(fanout?.scheduledFor ? [fanout.scheduledFor] : [])];
  const notification: NotificationRow = {
    id,
    tenantId: ctx.tenant.id,
    // Set below from its counts, by the rules every later change follows (overallStatus).
    status: "accepted",
    keyType: ctx.principal.keyType,
    source,
    correlationId: plan.correlationId ?? ctx.correlationId,
    tags: plan.tags,
    channels: [...new Set([...deliveryRows.map((d) => d.channel), ...(fanout?.channels ?? [])])],
    messageCount: messageRows.length + (fanout?.messages ?? 0),
    scheduledFor: scheduledTimes.length ? new Date(Math.min(...scheduledTimes.map((d) => d.getTime()))) : null,
    eventTypeCode: plan.resolution.eventType?.code ?? null,
    eventTypeVersion: plan.resolution.eventType?.version ?? null,
    resolution: plan.resolution as unknown as Record<string, unknown>,
    callbacks: plan.resolution.callbacks ?? null,
    // Failed-at-plan messages (technical-failure) are counted from the start like any other.
    ...initialCounts(messageRows.map((m) => m.status)),
    pendingChunks: fanout?.pendingChunks ?? 0,
    cancelRequestedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  notification.status = overallStatus(statusCounts(notification), notification.pendingChunks, false);

  // Statements of a fixed shape, their SQL built once per isolate (db/json-rows.ts): drizzle
  // building these inserts on every send cost more of the Worker's time than anything else in it.
  const d1 = ctx.env.DB;
  // Messages that failed while planned owe their failure callbacks; only asked for when some
  // registration applies, so the usual send keeps its statements.
  const failedHere = notification.callbacks !== null && messageRows.some((m) => m.status === "technical-failure");
  const fileInsert = emailFileInsert(d1, id, files.rows);
  // Under a guard every row is written only while none of the recipients is suppressed.
  const insert = <T extends Parameters<typeof jsonInsert>[1]>(table: T, rows: T["$inferSelect"][]) =>
    guard ? jsonInsertIf(d1, table, rows, guard.condition, guard.params) : jsonInsert(d1, table, rows);
  const statements = [
    ...insert(notifications, [notification]),
    ...(fileInsert ? [fileInsert] : []),
    ...insert(deliveries, deliveryRows),
    ...insert(messages, messageRows),
    ...(failedHere ? [prepared(d1, storedCallbackEvents(ctx.db, and(eq(messages.notificationId, id)), "technical-failure", now) as unknown as Parameters<typeof prepared>[1])] : []),
    ...(guard ? [guard.lookup] : []),
  ];
  let results: D1Result[];
  try {
    results = await d1.batch(statements);
  } catch (err) {
    await ctx.env.BUCKET.delete([...keys, ...files.keys]).catch(() => undefined);
    throw err;
  }
  // The files' rows are written only with the notification (emailFileInsert): if it was not, neither are they.
  if (fileInsert && results[statements.indexOf(fileInsert)]!.meta.changes === 0) await ctx.env.BUCKET.delete(files.keys).catch(() => undefined);
  if (guard) {
    const suppressed = guard.found(results.pop()!.results as Record<string, unknown>[]);
    if (suppressed.size > 0) {
      // Nothing was written: the attachments put for it go too.
      if (keys.length > 0) await ctx.env.BUCKET.delete(keys).catch(() => undefined);
      return { suppressed };
    }
  }
  if (failedHere) await enqueueCallbackEvents(ctx.env, eventIdsOf(results[results.length - 1]!.results));
  return { notification, deliveries: deliveryRows, messageCount: messageRows.length };
}

/** How a fan-out names the rows it stores (fanout/ids.ts); by default they get fresh UUIDv7s. */
export interface RowIds {
  delivery(planned: PlannedDelivery, index: number): string;
  message(planned: PlannedDelivery, index: number, recipient: number): string;
}

const freshIds = (now: Date): RowIds => ({ delivery: () => uuidv7(now.getTime()), message: () => uuidv7(now.getTime()) });

/**
 * The delivery and message rows of planned deliveries: `queued` (or `scheduled` when they have a
 * time, or finished when they failed while planned), one message row per recipient, the email
 * payload pointing at the notification's stored attachments.
 */
export function plannedRows(tenantId: string, notifyId: string, planned: PlannedDelivery[], attachmentKeys: string[], now: Date, ids: RowIds = freshIds(now)): { deliveryRows: DeliveryRow[]; messageRows: MessageRow[] } {
  const deliveryRows: DeliveryRow[] = [];
  const messageRows: MessageRow[] = [];
  planned.forEach((planned, index) => {
    const deliveryId = ids.delivery(planned, index);
    // Failed while planned (a subscription service not answering): stored finished, never sent.
    const failed = planned.failed ? { ...planned.failed, at: now.toISOString() } : null;
    const scheduled = planned.scheduledFor !== null && !failed;
    const payload =
      planned.channel === "email"
        ? { ...(planned.payload as EmailPayload), attachments: (planned.payload as EmailPayload).attachments.map((a, i) => ({ ...a, key: attachmentKeys[i]! })) }
        : planned.payload;
    deliveryRows.push({
      id: deliveryId,
      notificationId: notifyId,
      tenantId,
      channel: planned.channel,
      state: failed ? "done" : scheduled ? "scheduled" : "queued",
      provider: planned.provider,
      providers: planned.providers && planned.providers.length > 1 ? planned.providers : null,
      payload: payload as unknown as Record<string, unknown>,
      providerMessageId: null,
      attempts: 0,
      leaseUntil: null,
      leaseToken: null,
      scheduledFor: planned.scheduledFor,
      enqueuedAt: scheduled || failed ? null : now,
      lastError: failed,
      templateId: planned.template?.id ?? null,
      templateVersion: planned.template?.version ?? null,
      createdAt: now,
      updatedAt: now,
    });
    planned.recipients.forEach((recipient, r) => {
      messageRows.push({
        id: ids.message(planned, index, r),
        deliveryId,
        notificationId: notifyId,
        tenantId,
        channel: planned.channel,
        recipient: recipient.address,
        role: recipient.role,
        status: failed ? "technical-failure" : scheduled ? "scheduled" : "created",
        error: failed,
        createdAt: now,
        updatedAt: now,
        sentAt: null,
        completedAt: failed ? now : null,
      });
    });
  });
  return { deliveryRows, messageRows };
}
