import { chunk } from "../../lib/chunk";
import { uuidv7 } from "../../lib/ids";
import { log } from "../../lib/log";
import type { SendContext } from "../send/context";
import type { Plan, SendRequest } from "../send/plan";
import { type StoredNotification, storeNotification } from "../send/store";
import type { Env } from "../../env";
import { type FanoutChannel, fanoutKeys, type FanoutManifest, splitRows, storeLayers } from "./manifest";

/** The body of a notify-fanout message: one chunk of one channel of a merge. */
export interface FanoutMessage {
  notifyId: string;
  tenantId: string;
  channel: FanoutChannel;
  chunk: number;
}

/** Queues.sendBatch takes at most 100 messages. */
const QUEUE_BATCH = 100;

/**
 * The tenant's suppression list against a fanned-out merge's rows (each row's normalised
 * addresses, as merge/check-rows.ts gives them): the recipients it will remove, each occurrence
 * counted (a number suppressed in three rows is three messages fewer, as a send counts them), and
 * the rows left with no one to send to (not sent, as a send leaves them out). One D1 query with
 * the distinct addresses as one JSON parameter (json_each), whatever the merge's size.
 *
 * @example
 * ```ts
 * await suppressedInRows(ctx, "sms", [["+17787001234"], ["+17787001234", "+17787005678"]]) // { recipients: 2, rows: 1 } when +17787001234 is suppressed
 * ```
 */
export async function suppressedInRows(ctx: Pick<SendContext, "env" | "tenant">, channel: FanoutChannel, rows: string[][]): Promise<{ recipients: number; rows: number }> {
  const distinct = [...new Set(rows.flat())];
  if (distinct.length === 0) return { recipients: 0, rows: 0 };
  const { results } = await ctx.env.DB.prepare("SELECT recipient FROM suppressions WHERE tenant_id = ?1 AND channel = ?2 AND recipient IN (SELECT value FROM json_each(?3))")
    .bind(ctx.tenant.id, channel, JSON.stringify(distinct))
    .all<{ recipient: string }>();
  if (results.length === 0) return { recipients: 0, rows: 0 };
  const suppressed = new Set(results.map((r) => r.recipient));
  let recipients = 0;
  let emptied = 0;
  for (const addresses of rows) {
    const removed = addresses.filter((a) => suppressed.has(a)).length;
    recipients += removed;
    if (removed > 0 && removed === addresses.length) emptied++;
  }
  return { recipients, rows: emptied };
}

/**
 * Hands chunks to the notify-fanout queue. A failure is logged, not raised: the notification is
 * stored with its pending chunks, and the cron sweep sends the messages of a fan-out that made no
 * progress again (services/fanout/sweep.ts), so a queue outage delays a merge but loses none of it.
 */
export async function enqueueChunks(env: Env, messages: FanoutMessage[]): Promise<boolean> {
  try {
    for (const batch of chunk(messages, QUEUE_BATCH)) await env.FANOUT_QUEUE.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
    return true;
  } catch (err) {
    log("error", "fan-out enqueue failed; the cron sweep will retry", { count: messages.length, error: String(err) });
    return false;
  }
}

/**
 * Stores a send whose merges are fanned out: the merge rows in R2 (a manifest and one object per
 * chunk), then the notification with its other deliveries and its pending chunk count in one D1
 * batch, then one notify-fanout message per chunk. If the D1 batch fails the R2 objects are
 * removed, so a refused request leaves nothing behind; the caller refunds the admission.
 */
export async function startFanout(
  ctx: SendContext,
  request: SendRequest,
  plan: Plan & { fanout: NonNullable<Plan["fanout"]> },
  source: string,
  scheduledFor: Date | null,
  id?: string,
): Promise<StoredNotification> {
  const notifyId = id ?? uuidv7(ctx.now.getTime());
  const tenantId = ctx.tenant.id;
  const { tenant: _tenant, ...principal } = ctx.principal;
  const manifest: FanoutManifest = {
    v: 1,
    notifyId,
    tenantId,
    now: ctx.now.toISOString(),
    requestId: ctx.requestId,
    correlationId: plan.correlationId ?? ctx.correlationId,
    origin: ctx.origin,
    principal,
    settings: ctx.settings,
    senderDefaults: { defaultReplyTo: ctx.tenant.defaultReplyTo, defaultSmsSender: ctx.tenant.defaultSmsSender },
    request: {
      attachments: request.attachments,
      delayedSend: request.delayedSend,
      correlationId: request.correlationId,
      tags: request.tags,
      eventType: request.eventType,
      listUnsubscribe: request.listUnsubscribe,
      oneClickUnsubscribeUrl: request.oneClickUnsubscribeUrl,
    },
    channels: {},
  };
  const objects: { key: string; body: string }[] = [];
  const messages: FanoutMessage[] = [];
  let expected = 0;
  for (const channel of ["email", "sms"] as const) {
    const fanned = plan.fanout[channel];
    const channelRequest = request.channels[channel];
    if (!fanned || !channelRequest?.merge || fanned.rows.length === 0) continue;
    const parts = splitRows(
      fanned.rows,
      fanned.addresses.map((a) => a.length),
    );
    manifest.channels[channel] = {
      layers: storeLayers(channelRequest.layers),
      path: channelRequest.path,
      paramsPath: channelRequest.paramsPath,
      mergePath: channelRequest.merge.path,
      columns: channelRequest.merge.parsed.columns,
      chunks: parts.map((p) => p.info),
    };
    parts.forEach((part, index) => {
      objects.push({ key: fanoutKeys.chunk(tenantId, notifyId, channel, index), body: JSON.stringify({ rows: part.rows }) });
      messages.push({ notifyId, tenantId, channel, chunk: index });
      expected += part.info.recipients;
    });
  }
  objects.push({ key: fanoutKeys.manifest(tenantId, notifyId), body: JSON.stringify(manifest) });

  await Promise.all(objects.map((o) => ctx.env.BUCKET.put(o.key, o.body, { httpMetadata: { contentType: "application/json" } })));
  let stored: StoredNotification;
  try {
    stored = await storeNotification(ctx, plan, source, {
      id: notifyId,
      channels: Object.keys(manifest.channels) as FanoutChannel[],
      pendingChunks: messages.length,
      messages: expected,
      scheduledFor,
    });
  } catch (err) {
    await ctx.env.BUCKET.delete(objects.map((o) => o.key)).catch(() => undefined);
    throw err;
  }
  await enqueueChunks(ctx.env, messages);
  return stored;
}
