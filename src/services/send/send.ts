import type { Channel, NotificationRow, SuppressionRow } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { admitSend, DailyLimitExceeded } from "../gate/admit";
import type { SendContext } from "./context";
import { enqueueDeliveries } from "./enqueue";
import { assertRecipientsAllowed } from "./guest-list-check";
import { type EmailPayload, type MsgAppPayload, previewPayload, type SmsPayload } from "./payloads";
import { type Plan, planRequest, type Resolution, type SendRequest } from "./plan";
import { type StoreGuard, storeNotification, storeUnlessSuppressed } from "./store";
import { applyRecipientPolicies } from "../suppressions/policies";
import { type SuppressedRecipient, suppressionKeysOf } from "../suppressions/apply";
import { findSuppressed, suppressionCheck } from "../suppressions/suppressions";
import { finishMergeSummaries, skipRowsOffGuestList } from "./merge/merge-policies";
import type { MergeSummary } from "./merge/plan-merge";
import { startFanout, suppressedInRows } from "../fanout/start";
import { admitWithWindow } from "./duplicate-window";

/** Messages a merge preview shows per channel unless `previewRows` says otherwise (at most MAX_PREVIEW_ROWS). */
export const DEFAULT_PREVIEW_ROWS = 10;
export const MAX_PREVIEW_ROWS = 100;

export interface Preview {
  email?: EmailPayload[];
  sms?: SmsPayload[];
  msgApp?: MsgAppPayload[];
  /** With `explain=true`: where each resolved value came from (plan.ts Resolution). */
  resolution?: Resolution;
  /** Recipients the tenant's suppression list removed (present only when there are any). */
  suppressed?: SuppressedRecipient[];
  /** Mail merges: per channel, rows given, sent and skipped, with the row errors; the channel's list holds the first rows' messages. */
  merge?: Partial<Record<Channel, MergeSummary>>;
  /** A large merge's preview takes a request from the per-minute allowance, and says so in its headers. */
  [RATE_LIMIT_HEADERS]?: Record<string, string>;
}

/**
 * Where a send's answer carries the rate-limit header fields its admission gave (a symbol, so the
 * JSON body never shows it); routes/send/respond.ts writes them on the response.
 */
export const RATE_LIMIT_HEADERS = Symbol("rateLimitHeaders");

export interface SendReceipt {
  notifyId: string;
  /**
   * `failed` only when every message failed while planned (a subscription service not answering);
   * a duplicate answers the first notification's status as it is now.
   */
  status: NotificationRow["status"];
  /** Set when this send duplicated a notification accepted within the window: nothing was sent. */
  duplicate?: true;
  statusUrl: string;
  /** Message rows per channel (one per recipient). */
  channels: Partial<Record<Channel, number>>;
  correlationId: string | null;
  scheduledFor: string | null;
  /** /notifyevent sends: the event type and version the send resolved. */
  eventType?: { code: string; version: number };
  /** Recipients the tenant's suppression list removed (present only when there are any). */
  suppressed?: SuppressedRecipient[];
  /** Mail merges: per channel, rows given, sent and skipped (with the first 100 row errors). */
  merge?: Partial<Record<Channel, MergeSummary>>;
  createdAt: string;
  [RATE_LIMIT_HEADERS]?: Record<string, string>;
}

/** What a preview answers: per channel, one entry per provider call, exactly as it would be sent. */
export function toPreview(plan: Plan, previewRows = DEFAULT_PREVIEW_ROWS): Preview {
  const out: Preview = {};
  for (const delivery of plan.deliveries) {
    const list = (out[delivery.channel] ??= []) as ReturnType<typeof previewPayload>[];
    // A merge previews its first rows only: the summary says how many there are in all.
    if (delivery.mergeRow !== undefined && list.length >= previewRows) continue;
    list.push(previewPayload(delivery));
  }
  return plan.merge ? { ...out, merge: plan.merge } : out;
}

/** A preview refuses what the send would refuse, guest-list recipients included, so a designer sees it. */
export async function previewSend(ctx: SendContext, request: SendRequest, options: { explain?: boolean; previewRows?: number } = {}): Promise<Preview> {
  const planned = await skipRowsOffGuestList(ctx, request, await planRequest(ctx, request, { mergeRowsShown: options.previewRows ?? DEFAULT_PREVIEW_ROWS }));
  // Checking tens of thousands of rows is real work: such a preview takes a request from the
  // per-minute allowance, as a send does (it is never counted against the daily ones).
  // A preview creates nothing, so it never takes or answers from an Idempotency-Key.
  const rateLimit = planned.fanout ? (await admitSend({ ...ctx, idempotencyKey: undefined }, {})).rateLimit : undefined;
  await assertRecipientsAllowed(ctx, planned);
  const policed = await applyRecipientPolicies(ctx, request, planned, { preview: true });
  const suppressed = policed.suppressed;
  let plan = finishMergeSummaries(policed.plan, suppressed);
  // A fanned-out merge's summary counts its suppressed recipients over all its rows, as its send would.
  if (planned.fanout) plan = await countFanout(ctx, request, plan, planned.fanout, {}, {});
  const shown = toPreview(plan, options.previewRows);
  const preview: Preview = options.explain ? { ...shown, resolution: plan.resolution } : shown;
  if (rateLimit) preview[RATE_LIMIT_HEADERS] = rateLimit;
  return suppressed.length > 0 ? { ...preview, suppressed } : preview;
}

/**
 * What a 201 says of the notification: `failed` when every delivery failed while planned,
 * `scheduled` when every other one waits for its time, otherwise `accepted`.
 */
function receiptStatus(deliveries: { state: string }[]): SendReceipt["status"] {
  const live = deliveries.filter((d) => d.state !== "done");
  if (live.length === 0) return "failed";
  return live.every((d) => d.state === "scheduled") ? "scheduled" : "accepted";
}

/**
 * A fanned-out merge's recipients in the send's counts, and its summary, once the suppression
 * list is applied: the fan-out leaves suppressed recipients out as it renders, and the request
 * counts them now, every occurrence, and does not count as sent a row left with no one (as a send
 * does not). Every row suppressed and nothing else to send is refused as any send is
 * (suppressions/apply.ts). Adds to `counts` (recipients) and `sending` (the daily allowance).
 */
async function countFanout(
  ctx: SendContext,
  request: SendRequest,
  plan: Plan,
  fanout: NonNullable<Plan["fanout"]>,
  counts: Partial<Record<Channel, number>>,
  sending: Partial<Record<Channel, number>>,
): Promise<Plan> {
  const merge = { ...plan.merge };
  for (const channel of ["email", "sms"] as const) {
    const rows = fanout[channel];
    if (!rows) continue;
    const suppressedRows = await suppressedInRows(ctx, channel, rows.addresses);
    const recipients = rows.recipients - suppressedRows.recipients;
    counts[channel] = (counts[channel] ?? 0) + recipients;
    sending[channel] = (sending[channel] ?? 0) + recipients;
    const summary = merge[channel];
    if (summary) merge[channel] = { ...summary, sent: summary.sent - suppressedRows.rows, suppressed: suppressedRows.recipients };
  }
  const fanned = (["email", "sms"] as const).filter((c) => fanout[c]);
  if (plan.deliveries.length === 0 && fanned.every((c) => merge[c]?.sent === 0)) {
    const total = fanned.reduce((n, c) => n + (merge[c]?.suppressed ?? 0), 0);
    throw new ApiError("unprocessable", {
      detail: `All recipients are suppressed (${total}); nothing was sent`,
      errors: fanned.map((c) => ({ path: request.channels[c]!.merge!.path, message: `Every row's recipients are on your ${c} suppression list` })),
    });
  }
  return { ...plan, merge };
}

/**
 * The answer to a send that duplicates a notification accepted within the window: nothing is
 * sent; the first notification is answered as it stands now, marked `duplicate` (routes answer it
 * with 200 and `Idempotent-Replayed: true`).
 */
function duplicateReceipt(ctx: SendContext, original: NotificationRow, counts: Partial<Record<Channel, number>>, rateLimit: Record<string, string>): SendReceipt {
  return {
    notifyId: original.id,
    status: original.status,
    statusUrl: `${ctx.origin}/api/v1/notify/${original.id}`,
    channels: counts,
    correlationId: original.correlationId,
    scheduledFor: original.scheduledFor?.toISOString() ?? null,
    ...(original.eventTypeCode !== null && original.eventTypeVersion !== null ? { eventType: { code: original.eventTypeCode, version: original.eventTypeVersion } } : {}),
    duplicate: true,
    createdAt: original.createdAt.toISOString(),
    [RATE_LIMIT_HEADERS]: rateLimit,
  };
}

/**
 * The send path: plan (resolve, render, validate) → guest list (team keys, trial tenants) → gate
 * (rate and daily limits) → store (one D1 batch) → enqueue. Nothing is stored unless the whole
 * request is valid, allowed and admitted.
 */
export async function sendNotification(ctx: SendContext, request: SendRequest, source: string): Promise<SendReceipt> {
  // A merge that skips invalid rows skips those addressed off the guest list too; anything else off it is refused.
  const planned = await skipRowsOffGuestList(ctx, request, await planRequest(ctx, request));
  await assertRecipientsAllowed(ctx, planned);
  const fanout = planned.fanout;
  // A fanned-out merge's first rows were planned only to check the request: its rows are stored
  // in R2 and become messages in the fan-out, so only the other deliveries are stored here.
  const inline = fanout ? { ...planned, deliveries: planned.deliveries.filter((d) => !(d.mergeRow !== undefined && fanout[d.channel as "email" | "sms"])) } : planned;
  // A send that stores its messages now checks the suppression list in the batch that stores
  // them (a round trip fewer on every send); if that finds someone suppressed, nothing was
  // stored, and the send is admitted again without them (knowing the list's answer, and taking
  // no second token).
  const keys = fanout ? [] : suppressionKeysOf(inline);
  const check = fanout ? null : suppressionCheck(ctx, keys);
  if (!check) return receiptOf(await acceptPlanned(ctx, request, source, planned, inline, undefined, null, false));
  let first;
  try {
    first = await acceptPlanned(ctx, request, source, planned, inline, new Map(), check, false);
  } catch (err) {
    // That first admission counted every planned recipient against the daily allowances, so a
    // send refused by them may fit without its suppressed recipients: read the list and ask
    // again (a daily refusal took no token).
    if (!(err instanceof DailyLimitExceeded)) throw err;
    const found = await findSuppressed(ctx, keys);
    if (found.size === 0) throw err;
    return receiptOf(await acceptPlanned(ctx, request, source, planned, inline, found, null, false));
  }
  if ("receipt" in first) return first.receipt;
  // The second pass stores under the first pass's id, whose window entry was kept, so identical
  // copies fired meanwhile find it and are answered with it once it is stored.
  try {
    const receipt = receiptOf(await acceptPlanned(ctx, request, source, planned, inline, first.suppressed, null, true, first.notifyId));
    // Answered with another notification (a duplicate of the send without them): the first pass's entry names nothing.
    if (receipt.notifyId !== first.notifyId) await first.releaseWindow();
    return receipt;
  } catch (err) {
    await first.releaseWindow();
    throw err;
  }
}

/** The answer of a pass made without a store check, which always stores or refuses. */
function receiptOf(accepted: { receipt: SendReceipt } | { suppressed: unknown }): SendReceipt {
  if (!("receipt" in accepted)) throw new Error("a send without a store check found suppressed recipients");
  return accepted.receipt;
}

/**
 * The rest of the send path once planned: suppressions and one-click unsubscribe links, the
 * admission (limits, duplicate window, Idempotency-Key), storage, enqueueing. `known` stands in
 * for reading the suppression list; with `check`, storing verifies it and answers `suppressed`
 * (after giving the admission back) when it was wrong.
 */
async function acceptPlanned(
  ctx: SendContext,
  request: SendRequest,
  source: string,
  planned: Plan,
  inline: Plan,
  known: Map<string, SuppressionRow> | undefined,
  check: StoreGuard | null,
  tokenTaken: boolean,
  notifyIdOfFirstPass?: string,
): Promise<{ receipt: SendReceipt } | { suppressed: Map<string, SuppressionRow>; notifyId?: string; releaseWindow: () => Promise<void> }> {
  const fanout = planned.fanout;
  // Suppressed recipients removed (422 when none is left); one-click unsubscribe links added.
  const policed =
    fanout && inline.deliveries.length === 0 ? { plan: inline, suppressed: [] } : await applyRecipientPolicies(ctx, request, inline, known ? { knownSuppressed: known } : {});
  const suppressed = policed.suppressed;
  // A fanned-out email merge attaches the request's files to every row, whatever is left inline.
  let plan = finishMergeSummaries(fanout?.email ? { ...policed.plan, attachments: planned.attachments } : policed.plan, suppressed);
  const counts: Partial<Record<Channel, number>> = {};
  const sending: Partial<Record<Channel, number>> = {};
  for (const d of plan.deliveries) {
    counts[d.channel] = (counts[d.channel] ?? 0) + d.recipients.length;
    // Daily allowances count messages that will be sent, not failures recorded while planned.
    if (!d.failed) sending[d.channel] = (sending[d.channel] ?? 0) + d.recipients.length;
  }
  if (fanout) plan = await countFanout(ctx, request, plan, fanout, counts, sending);
  // Limits and the duplicate window in one call: the same resolved notification accepted within
  // the window is answered with the first (duplicate-window.ts).
  const fanoutSample = fanout ? planned.deliveries.filter((d) => d.mergeRow !== undefined && fanout[d.channel as "email" | "sms"]) : [];
  const admission = await admitWithWindow(ctx, request, plan, sending, fanoutSample, { tokenTaken, ...(notifyIdOfFirstPass ? { notifyId: notifyIdOfFirstPass } : {}) });
  if (admission.kind === "duplicate") return { receipt: duplicateReceipt(ctx, admission.original, counts, admission.rateLimit) };
  const notifyId = admission.notifyId;
  let stored;
  try {
    // A fanned-out merge is scheduled when its rows are: the first row's plan says when.
    const scheduledFor = planned.deliveries.find((d) => d.mergeRow !== undefined)?.scheduledFor ?? null;
    if (fanout) stored = await startFanout(ctx, request, { ...plan, fanout }, source, scheduledFor, notifyId);
    else if (check) {
      stored = await storeUnlessSuppressed(ctx, plan, source, notifyId, check);
      if ("suppressed" in stored) {
        // The daily room goes back now; the window's entry stays for the second pass to store under.
        await admission.refund({ keepWindow: true });
        return { suppressed: stored.suppressed, ...(notifyId ? { notifyId } : {}), releaseWindow: admission.releaseWindow };
      }
    } else stored = await storeNotification(ctx, plan, source, undefined, notifyId);
  } catch (err) {
    await admission.refund();
    throw err;
  }
  const due = stored.deliveries.filter((d) => d.state === "queued");
  if (due.length > 0) await enqueueDeliveries(ctx.env, due.map((d) => ({ deliveryId: d.id, tenantId: d.tenantId })));
  const { notification } = stored;
  return { receipt: {
    notifyId: notification.id,
    status: fanout ? (stored.notification.scheduledFor ? "scheduled" : "accepted") : receiptStatus(stored.deliveries),
    statusUrl: `${ctx.origin}/api/v1/notify/${notification.id}`,
    channels: counts,
    correlationId: notification.correlationId,
    scheduledFor: notification.scheduledFor?.toISOString() ?? null,
    ...(plan.resolution.eventType ? { eventType: { code: plan.resolution.eventType.code, version: plan.resolution.eventType.version } } : {}),
    ...(suppressed.length > 0 ? { suppressed } : {}),
    ...(plan.merge ? { merge: plan.merge } : {}),
    createdAt: notification.createdAt.toISOString(),
    [RATE_LIMIT_HEADERS]: admission.rateLimit,
  } };
}
