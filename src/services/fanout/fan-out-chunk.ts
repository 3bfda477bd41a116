import { and, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { deliveries, type DeliveryError, type DeliveryRow, MESSAGE_STATUSES, type MessageRow, type MessageStatus, messages, notifications, STATUS_COUNT_FIELDS, tenants } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors/api-error";
import { log } from "../../lib/log";
import type { ServiceContext } from "../context";
import { countMove, overallStatusSql } from "../delivery/notification-status";
import { attachmentKey } from "../send/attachments";
import type { MergeRow } from "../send/merge/merge-array";
import type { PlannedDelivery } from "../send/payloads";
import { type Plan, planRequest } from "../send/plan";
import { plannedRows } from "../send/store";
import { jsonInsert, prepared } from "../../db/json-rows";
import { enqueueDeliveries } from "../send/enqueue";
import { callbackEvents, eventIdsOf, storedCallbackEvents } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";
import { applyRecipientPolicies } from "../suppressions/policies";
import { guestEmailKey, readGuestList } from "../guest-list/guest-list";
import { guestListRestriction } from "../send/guest-list-check";
import { fanoutId, MAX_ID_ORDINAL } from "./ids";
import { type ChunkInfo, chunkRequest, type FanoutChannel, fanoutKeys, type FanoutManifest, type StoredChunk } from "./manifest";
import type { FanoutMessage } from "./start";

/** What `prepared` turns into a D1 statement. */
type Query = Parameters<typeof prepared>[1];

/** What became of one chunk. */
export type ChunkOutcome = "stored" | "already-stored" | "cancelled" | "failed" | "gone";

/** The range of ids a chunk's rows of one kind take (fanout/ids.ts: they sort by row). */
function idRange(notifyId: string, kind: "delivery" | "message", channel: FanoutChannel, info: ChunkInfo): [string, string] {
  return [fanoutId(notifyId, kind, channel, info.firstRow, 0), fanoutId(notifyId, kind, channel, info.lastRow, 0xfff)];
}

function chunkDeliveries(notifyId: string, channel: FanoutChannel, info: ChunkInfo): SQL {
  const [lo, hi] = idRange(notifyId, "delivery", channel, info);
  return and(eq(deliveries.notificationId, notifyId), gte(deliveries.id, lo), lte(deliveries.id, hi))!;
}

/** A service context for planning a chunk as the request would have: its tenant, key, defaults and clock. */
function chunkContext(db: Db, env: Env, manifest: FanoutManifest, current: typeof tenants.$inferSelect): ServiceContext {
  const tenant = { ...current, ...(manifest.senderDefaults ?? { defaultReplyTo: null, defaultSmsSender: null }) };
  return {
    db,
    env,
    requestId: manifest.requestId,
    now: new Date(manifest.now),
    origin: manifest.origin,
    principal: { ...manifest.principal, tenant },
    tenant,
    settings: manifest.settings,
    correlationId: manifest.correlationId,
  };
}

/** A row's recipients as written (to, cc, bcc; once each): what a row that cannot be rendered is recorded against. */
function writtenRecipients(row: MergeRow): { address: string; role: "to" | "cc" | "bcc" }[] {
  const seen = new Set<string>();
  const out: { address: string; role: "to" | "cc" | "bcc" }[] = [];
  for (const role of ["to", "cc", "bcc"] as const) {
    for (const address of row.recipients[role] ?? []) {
      const key = address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ address, role });
    }
  }
  return out;
}

/** A delivery row that records something the fan-out did not send: no provider, never queued. */
function recordedDelivery(manifest: FanoutManifest, channel: FanoutChannel, id: string, state: "done" | "cancelled", payload: Record<string, unknown>, lastError: DeliveryError | null, now: Date): DeliveryRow {
  return {
    id,
    notificationId: manifest.notifyId,
    tenantId: manifest.tenantId,
    channel,
    state,
    provider: "none",
    providers: null,
    payload,
    providerMessageId: null,
    attempts: 0,
    leaseUntil: null,
    leaseToken: null,
    scheduledFor: null,
    enqueuedAt: null,
    lastError,
    templateId: null,
    templateVersion: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Rows that are recorded rather than sent (the merge was cancelled, or the row cannot be
 * rendered): one finished delivery per row and one message per recipient as written, in `status`.
 */
function recordedRows(manifest: FanoutManifest, channel: FanoutChannel, rows: MergeRow[], status: MessageStatus, error: (row: MergeRow) => DeliveryError | null, now: Date) {
  const deliveryRows: DeliveryRow[] = [];
  const messageRows: MessageRow[] = [];
  for (const row of rows) {
    const id = fanoutId(manifest.notifyId, "delivery", channel, row.row, 0);
    const err = error(row);
    deliveryRows.push(recordedDelivery(manifest, channel, id, status === "cancelled" ? "cancelled" : "done", { mergeRow: row.row, recorded: status }, err, now));
    writtenRecipients(row).forEach((r, i) =>
      messageRows.push({
        id: fanoutId(manifest.notifyId, "message", channel, row.row, i),
        deliveryId: id,
        notificationId: manifest.notifyId,
        tenantId: manifest.tenantId,
        channel,
        recipient: r.address,
        role: channel === "email" ? r.role : null,
        status,
        error: err,
        createdAt: now,
        updatedAt: now,
        sentAt: null,
        completedAt: now,
      }),
    );
  }
  return { deliveryRows, messageRows };
}

/** Why a row of a chunk was not sent. */
type Reasons = Map<number, { code: string; message: string }>;

const PLANNING_REFUSALS = new Set(["unprocessable", "invalid_request", "recipient_not_allowed", "payload_too_large"]);

/**
 * Plans a chunk's rows: all at once, and when that fails for a reason not tied to one row (an
 * email whose rendered cell holds more than 50 addresses is reported at the channel's recipients),
 * each row on its own, so that one row can never fail the rest of its chunk.
 */
async function planRows(ctx: ServiceContext, manifest: FanoutManifest, channel: FanoutChannel, rows: MergeRow[]): Promise<{ plan: Plan | null; reasons: Reasons }> {
  const reasons: Reasons = new Map();
  const note = (row: number, message: string) => {
    if (!reasons.has(row)) reasons.set(row, { code: "merge_row_failed", message });
  };
  try {
    const plan = await planRequest(ctx, chunkRequest(manifest, channel, rows), { planAllRows: true });
    for (const e of plan.merge?.[channel]?.errors ?? []) note(e.row, e.message);
    return { plan, reasons };
  } catch (err) {
    if (!(err instanceof ApiError) || !PLANNING_REFUSALS.has(err.code)) throw err;
    const rowErrors = (err.errors ?? []) as { row?: number; message: string }[];
    if (rows.length === 1) {
      note(rows[0]!.row, rowErrors[0]?.message ?? err.detail ?? err.message);
      return { plan: null, reasons };
    }
    if (rowErrors.length > 0 && rowErrors.every((e) => e.row !== undefined)) {
      // Every row failed on its own account (skipInvalidRows left none).
      for (const e of rowErrors) note(e.row!, e.message);
      return { plan: null, reasons };
    }
  }
  const plans: Plan[] = [];
  for (const row of rows) {
    const one = await planRows(ctx, manifest, channel, [row]);
    for (const [r, reason] of one.reasons) reasons.set(r, reason);
    if (one.plan) plans.push(one.plan);
  }
  return { plan: plans.length > 0 ? { ...plans[0]!, deliveries: plans.flatMap((p) => p.deliveries) } : null, reasons };
}

/**
 * Team keys and trial tenants reach only the guest list, in a fan-out as in any send: the request
 * checked every row's recipients as it rendered them, and this holds the line again on the rows as
 * the fan-out rendered them. A row addressing anyone else is recorded as not sent.
 */
async function keepGuestListRows(ctx: ServiceContext, channel: FanoutChannel, plan: Plan, reasons: Reasons): Promise<Plan> {
  const restriction = guestListRestriction(ctx);
  if (!restriction) return plan;
  const list = await readGuestList(ctx);
  const emails = new Set(list.emails);
  const phones = new Set(list.phones);
  const refused = new Set<number>();
  for (const d of plan.deliveries) {
    for (const r of d.recipients) {
      const allowed = channel === "email" ? emails.has(guestEmailKey(r.address)) : phones.has(r.address);
      if (allowed || d.mergeRow === undefined) continue;
      refused.add(d.mergeRow);
      if (!reasons.has(d.mergeRow)) reasons.set(d.mergeRow, { code: "recipient_not_allowed", message: `${r.address} is not on your guest list (${restriction})` });
    }
  }
  return refused.size === 0 ? plan : { ...plan, deliveries: plan.deliveries.filter((d) => d.mergeRow === undefined || !refused.has(d.mergeRow)) };
}

/**
 * The chunk's rows planned through the send path (planRequest with the chunk as the merge, then
 * the suppression list and one-click unsubscribe), as delivery and message rows with the chunk's
 * deterministic ids. A row the planner skips is recorded as a technical failure naming why; a
 * row whose every recipient is now suppressed is left out, as a send leaves them out.
 */
async function planChunk(ctx: ServiceContext, manifest: FanoutManifest, channel: FanoutChannel, rows: MergeRow[]) {
  const request = chunkRequest(manifest, channel, rows);
  const { plan: planned, reasons } = await planRows(ctx, manifest, channel, rows);
  const plan = planned ? await keepGuestListRows(ctx, channel, planned, reasons) : null;
  const plannedRowsSet = new Set(plan?.deliveries.map((d) => d.mergeRow) ?? []);
  let kept: PlannedDelivery[] = [];
  if (plan && plan.deliveries.length > 0) {
    try {
      kept = (await applyRecipientPolicies(ctx, request, plan)).plan.deliveries;
    } catch (err) {
      // Every recipient of the chunk is suppressed: nothing to send, nothing to record.
      if (!(err instanceof ApiError) || err.code !== "unprocessable") throw err;
    }
  }
  const attachmentKeys = (plan?.attachments ?? []).map((a, i) => attachmentKey(manifest.tenantId, manifest.notifyId, i, a.filename));
  // Ordinals within a row: its deliveries in order, its messages counted across them.
  const ordinal = new Map<PlannedDelivery, { delivery: number; firstMessage: number }>();
  const perRow = new Map<number, { deliveries: number; messages: number }>();
  for (const d of kept) {
    const n = perRow.get(d.mergeRow!) ?? { deliveries: 0, messages: 0 };
    ordinal.set(d, { delivery: n.deliveries, firstMessage: n.messages });
    perRow.set(d.mergeRow!, { deliveries: n.deliveries + 1, messages: n.messages + d.recipients.length });
  }
  const sent = plannedRows(manifest.tenantId, manifest.notifyId, kept, attachmentKeys, ctx.now, {
    delivery: (d) => fanoutId(manifest.notifyId, "delivery", channel, d.mergeRow!, ordinal.get(d)!.delivery),
    message: (d, _i, r) => fanoutId(manifest.notifyId, "message", channel, d.mergeRow!, ordinal.get(d)!.firstMessage + r),
  });
  const failedRows = rows.filter((r) => !plannedRowsSet.has(r.row));
  const at = ctx.now.toISOString();
  const failed = recordedRows(
    manifest,
    channel,
    failedRows,
    "technical-failure",
    (row) => ({ code: reasons.get(row.row)?.code ?? "merge_row_failed", message: reasons.get(row.row)?.message ?? "The row could not be rendered", retryable: false, at }),
    ctx.now,
  );
  return { deliveryRows: [...sent.deliveryRows, ...failed.deliveryRows], messageRows: [...sent.messageRows, ...failed.messageRows] };
}

/**
 * The statement that adds a chunk's messages to the notification: the counts per status, the
 * message count corrected from the request's estimate, one chunk fewer pending, and the status
 * those give. Conditional on a chunk still pending, so it can never go below zero.
 */
function addChunk(db: Db, notifyId: string, added: Partial<Record<MessageStatus, number>>, correction: number, now: Date) {
  const column = (s: MessageStatus) => notifications[STATUS_COUNT_FIELDS[s]];
  const next = (s: MessageStatus) => sql`(${sql.identifier(column(s).name)} + ${added[s] ?? 0})`;
  return db
    .update(notifications)
    .set({
      ...(Object.fromEntries(MESSAGE_STATUSES.map((s) => [STATUS_COUNT_FIELDS[s], next(s)])) as Record<(typeof STATUS_COUNT_FIELDS)[MessageStatus], SQL>),
      messageCount: sql`${sql.identifier("message_count")} + ${correction}`,
      pendingChunks: sql`${sql.identifier("pending_chunks")} - 1`,
      status: sql`${overallStatusSql(next, sql`(${sql.identifier("pending_chunks")} - 1)`)}`,
      updatedAt: now,
    })
    .where(and(eq(notifications.id, notifyId), sql`${sql.identifier("pending_chunks")} > 0`))
    .returning({ pendingChunks: notifications.pendingChunks });
}

/**
 * A cancel that landed before this chunk's write (cancelNotification sets cancel_requested_at):
 * the chunk's waiting messages are cancelled in the same batch that stores them, so a cancel and
 * a fan-out running at once never leave a message to be sent. D1 runs batches one at a time, so
 * either the cancel sees these rows, or this sees the cancel.
 */
function cancelIfRequested(db: Db, notifyId: string, channel: FanoutChannel, info: ChunkInfo, now: Date) {
  const requested = sql`EXISTS (SELECT 1 FROM notifications WHERE id = ${notifyId} AND cancel_requested_at IS NOT NULL)`;
  const [lo, hi] = idRange(notifyId, "message", channel, info);
  const waiting = and(requested, eq(messages.notificationId, notifyId), gte(messages.id, lo), lte(messages.id, hi), inArray(messages.status, ["created", "scheduled"]));
  return [
    countMove(db, waiting, "cancelled", now),
    callbackEvents(db, waiting, "cancelled", now),
    db.update(messages).set({ status: "cancelled", updatedAt: now, completedAt: now }).where(waiting),
    db
      .update(deliveries)
      .set({ state: "cancelled", updatedAt: now })
      .where(and(requested, chunkDeliveries(notifyId, channel, info), inArray(deliveries.state, ["queued", "scheduled"]))),
  ];
}

/**
 * Hands a chunk's stored deliveries to the deliver queue, or throws: the queue then offers the
 * chunk again and its redelivery enqueues what still waits (a chunk's work is done only once its
 * deliveries are enqueued, so the chunk and its manifest stay in R2 until then).
 */
async function enqueueOrThrow(env: Env, manifest: FanoutManifest, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  if (!(await enqueueDeliveries(env, ids.map((id) => ({ deliveryId: id, tenantId: manifest.tenantId }))))) {
    throw new Error(`fan-out of ${manifest.notifyId}: ${ids.length} stored deliveries could not be enqueued; the chunk will be offered again`);
  }
}

/** Re-enqueues what a stored chunk still has waiting (a redelivery after a crash between the write and the enqueue). */
async function enqueueWaiting(db: Db, env: Env, manifest: FanoutManifest, channel: FanoutChannel, info: ChunkInfo): Promise<void> {
  const waiting = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(chunkDeliveries(manifest.notifyId, channel, info), eq(deliveries.state, "queued")));
  await enqueueOrThrow(env, manifest, waiting.map((d) => d.id));
}

/**
 * A chunk that stores no row (every recipient of every row is on the suppression list) still
 * needs a row in its id range, or a redelivery would find it unstored and count it again (one
 * pending chunk fewer each time, settling the notification while other chunks are unstored). A
 * finished delivery with no message: invisible to the status API, never sent or swept.
 */
function emptyChunkMarker(manifest: FanoutManifest, channel: FanoutChannel, info: ChunkInfo, now: Date): DeliveryRow {
  const id = fanoutId(manifest.notifyId, "delivery", channel, info.firstRow, MAX_ID_ORDINAL);
  return recordedDelivery(manifest, channel, id, "done", { chunk: { firstRow: info.firstRow, lastRow: info.lastRow }, recorded: "suppressed" }, null, now);
}

/** Removes a finished fan-out's merge input from R2 once no chunk is pending. */
async function cleanUp(env: Env, manifest: FanoutManifest, channel: FanoutChannel, chunk: number, pending: number | undefined): Promise<void> {
  const keys = [fanoutKeys.chunk(manifest.tenantId, manifest.notifyId, channel, chunk)];
  if (pending === 0) keys.push(fanoutKeys.manifest(manifest.tenantId, manifest.notifyId));
  await env.BUCKET.delete(keys).catch((err) => log("warn", "fan-out clean-up failed", { notifyId: manifest.notifyId, error: String(err) }));
}

/**
 * One notify-fanout message: turns one chunk of a merge's rows into delivery and message rows and
 * hands the deliveries to the deliver queue. Safe to run any number of times: the chunk's rows
 * have ids derived from the notification and row (fanout/ids.ts), the write is one D1 batch (all
 * or nothing), and a chunk found stored only has its waiting deliveries enqueued again (the
 * deliver consumer's claim makes a second copy harmless). `failReason` records the chunk's rows
 * as technical failures instead (the dead-letter queue giving up on it).
 */
export async function fanOutChunk(db: Db, env: Env, message: FanoutMessage, failReason?: string): Promise<ChunkOutcome> {
  const manifestObject = await env.BUCKET.get(fanoutKeys.manifest(message.tenantId, message.notifyId));
  const [notification] = await db
    .select({ pendingChunks: notifications.pendingChunks, cancelRequestedAt: notifications.cancelRequestedAt, callbacks: notifications.callbacks })
    .from(notifications)
    .where(and(eq(notifications.id, message.notifyId), eq(notifications.tenantId, message.tenantId)));
  if (!manifestObject || !notification) {
    // Finished (its input removed), or the notification is gone with its tenant: nothing to do.
    if (notification && notification.pendingChunks > 0) log("error", "fan-out manifest missing for a pending notification", { notifyId: message.notifyId });
    return "gone";
  }
  const manifest = (await manifestObject.json()) as FanoutManifest;
  const info = manifest.channels[message.channel]?.chunks[message.chunk];
  if (!info) {
    log("error", "fan-out message names no chunk of its manifest", { ...message });
    return "gone";
  }
  // Checked even when no chunk is pending: the last chunk's write takes pending_chunks to 0, and
  // its redelivery after a crash before the enqueue must still enqueue what it stored.
  const stored = await db.select({ id: deliveries.id }).from(deliveries).where(chunkDeliveries(manifest.notifyId, message.channel, info)).limit(1);
  if (stored.length > 0) {
    await enqueueWaiting(db, env, manifest, message.channel, info);
    await cleanUp(env, manifest, message.channel, message.chunk, notification.pendingChunks);
    return "already-stored";
  }
  if (notification.pendingChunks === 0) return "gone";
  const chunkObject = await env.BUCKET.get(fanoutKeys.chunk(message.tenantId, message.notifyId, message.channel, message.chunk));
  if (!chunkObject && !failReason) throw new Error(`fan-out chunk ${message.channel}/${message.chunk} of ${message.notifyId} is missing from R2`);
  // A dead letter whose rows are gone can still be settled: the chunk is counted done, with
  // nothing to record, so the notification can finish (the log says which rows were lost).
  if (!chunkObject) log("error", "dead-lettered fan-out chunk has no rows left in R2", { ...message, rows: [info.firstRow, info.lastRow] });
  const { rows } = chunkObject ? ((await chunkObject.json()) as StoredChunk) : { rows: [] };
  const now = new Date(manifest.now);

  let outcome: ChunkOutcome;
  let built: { deliveryRows: DeliveryRow[]; messageRows: MessageRow[] };
  if (notification.cancelRequestedAt) {
    outcome = "cancelled";
    built = recordedRows(manifest, message.channel, rows, "cancelled", () => null, now);
  } else if (failReason) {
    outcome = "failed";
    const error: DeliveryError = { code: "fanout_failed", message: failReason, retryable: false, at: new Date().toISOString() };
    built = recordedRows(manifest, message.channel, rows, "technical-failure", () => error, now);
  } else {
    const [tenant] = await db.select().from(tenants).where(eq(tenants.id, manifest.tenantId));
    if (!tenant) return "gone";
    outcome = "stored";
    built = await planChunk(chunkContext(db, env, manifest, tenant), manifest, message.channel, rows);
  }

  if (built.deliveryRows.length === 0) built.deliveryRows.push(emptyChunkMarker(manifest, message.channel, info, now));
  const added: Partial<Record<MessageStatus, number>> = {};
  for (const m of built.messageRows) added[m.status] = (added[m.status] ?? 0) + 1;
  const writeTime = new Date();
  // One D1 batch, all or nothing: the rows (a few JSON-carrying statements), the counts, the cancel tail.
  const inserts = [...jsonInsert(env.DB, deliveries, built.deliveryRows), ...jsonInsert(env.DB, messages, built.messageRows)];
  // Rows stored already finished (failed rows, a cancelled chunk) owe their callbacks too; none
  // are asked for when the notification resolved no registration.
  const [lo, hi] = idRange(manifest.notifyId, "message", message.channel, info);
  const chunkMessages = and(eq(messages.notificationId, manifest.notifyId), gte(messages.id, lo), lte(messages.id, hi));
  const storedDone = notification.callbacks ? (["technical-failure", "cancelled"] as const).filter((s) => added[s]) : [];
  const statements = [
    ...inserts,
    prepared(env.DB, addChunk(db, manifest.notifyId, added, built.messageRows.length - info.recipients, writeTime)),
    ...storedDone.map((s) => prepared(env.DB, storedCallbackEvents(db, chunkMessages, s, writeTime) as unknown as Query)),
    ...(outcome === "stored" ? cancelIfRequested(db, manifest.notifyId, message.channel, info, writeTime).map((q) => prepared(env.DB, q as unknown as Query)) : []),
  ];
  let results: D1Result[];
  try {
    results = await env.DB.batch(statements);
  } catch (err) {
    // Another copy of this message stored the chunk first: its rows' ids collided, nothing was written.
    const again = await db.select({ id: deliveries.id }).from(deliveries).where(chunkDeliveries(manifest.notifyId, message.channel, info)).limit(1);
    if (again.length === 0) throw err;
    await enqueueWaiting(db, env, manifest, message.channel, info);
    return "already-stored";
  }
  const counted = (results[inserts.length]!.results as { pending_chunks: number }[])[0];
  // The outbox rows this batch wrote: after the rows and the counts, and the cancel tail's second statement.
  const emitted = [...storedDone.map((_, i) => results[inserts.length + 1 + i]!), ...(outcome === "stored" ? [results[inserts.length + 1 + storedDone.length + 1]!] : [])];
  await enqueueCallbackEvents(env, emitted.flatMap((r) => eventIdsOf(r.results)));
  await enqueueOrThrow(env, manifest, built.deliveryRows.filter((d) => d.state === "queued").map((d) => d.id));
  await cleanUp(env, manifest, message.channel, message.chunk, counted?.pending_chunks);
  return outcome;
}
