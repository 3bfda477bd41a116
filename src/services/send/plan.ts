import { CHANNELS, type Channel } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { type ResolvedChannel, resolveRegion, resolveSendChannel } from "../resolve/cascade";
import { type ChannelLayer, documentLayer, joinPath } from "../resolve/layers";
import { type GroupDirectory, loadReferencedGroups } from "../groups/expand";
import { preloadTemplates } from "./defaults";
import { type AttachmentList, type DecodedAttachment, decodeAttachments, serviceAttachmentEntries } from "./attachments";
import type { SendContext } from "./context";
import type { PlannedDelivery } from "./payloads";
import { planEmail } from "./plan-email";
import { planMsgApp } from "./plan-msgapp";
import { planSms } from "./plan-sms";
import { ProblemCollector } from "./problems";
import type { AttachmentInput, EmailChannelInput, SimpleSendInput, SmsChannelInput } from "./request-schema";
import { parseDelayedSend } from "./schedule";
import { type MergeRequest, type MergeSummary, planMerge, rowErrorsProblem, summarize } from "./merge/plan-merge";
import { MAX_MERGE_RECIPIENTS, type MergeRow, parseMerge, type RowError } from "./merge/merge-array";
import { checkMergeRows } from "./merge/check-rows";
import { resolveCallbacks } from "../callbacks/resolve";
import { fileParamNames, type PlannedEmailFile } from "../email-files/plan";

/**
 * A merge of more rows than this is fanned out (services/fanout): its rows are checked in the
 * request (merge/check-rows.ts), stored in R2 in chunks, and rendered and stored as messages by
 * the notify-fanout consumer. Smaller merges are rendered and stored within the request, like any send.
 */
export const FANOUT_MIN_ROWS = 100;

/** A merge channel the request fans out: the rows that passed the up-front check. */
export interface FanoutRows {
  rows: MergeRow[];
  /** Recipients of those rows (an estimate until the fan-out renders them: tenant default cc/bcc add to it). */
  recipients: number;
  /** Each row's normalised addresses or numbers (parallel to `rows`), for the suppression count. */
  addresses: string[][];
}

/**
 * Where each resolved value of a send came from, per channel (`"sender.from": "tenant"`), the
 * event type it resolved, and the channels the request turned off. Answered by previews with
 * `explain=true`, stored with the notification and shown by `GET /api/v1/notify/{id}`.
 */
export interface Resolution {
  eventType?: { id: string; code: string; version: number };
  channels: Partial<Record<Channel, Record<string, string>>>;
  /** Channels not sent, with the field that turned each off (`overrides.sms`, `eventType.x.sms.enabled`). */
  notSent?: Partial<Record<Channel, string>>;
  /** Per channel, the status callback registrations its messages' status changes are reported to. */
  callbacks?: Partial<Record<Channel, string[]>>;
}

export interface Plan {
  deliveries: PlannedDelivery[];
  /** Decoded email attachments, stored once per notification and shared by its email deliveries. */
  attachments: DecodedAttachment[];
  /** Files sent by email (email-files/plan.ts): stored with the notification, linked from its email. */
  emailFiles?: PlannedEmailFile[];
  correlationId?: string;
  tags: string[];
  resolution: Resolution;
  /** Mail merges: per channel, the rows given, sent and skipped (merge/plan-merge.ts). */
  merge?: Partial<Record<Channel, MergeSummary>>;
  /**
   * Merges to fan out (more than FANOUT_MIN_ROWS rows): `deliveries` then holds only their first
   * rows (for a preview), and these are the rows to store.
   */
  fanout?: Partial<Record<"email" | "sms", FanoutRows>>;
}

export interface PlanOptions {
  /** Plan every merge row here however many there are (the fan-out consumer planning one chunk). */
  planAllRows?: boolean;
  /** A fanned-out merge renders this many of its first rows (a preview's rows); 1 by default. */
  mergeRowsShown?: number;
}

/** One channel to send: its request-side layers (most general first) for the resolver. */
export interface ChannelRequest {
  layers: ChannelLayer[];
  /** Where a value no layer gives is expected (`email`, `""` for /notifysimple/email, `overrides.email`). */
  path: string;
  /** Where a missing template parameter is reported (`email.params`, `params`). */
  paramsPath: string;
  /** A mail merge: each row is planned as its own message over `layers` (merge/plan-merge.ts). */
  merge?: MergeRequest;
}

/**
 * A send request of any route reduced to layers: simple sends give one request layer per channel,
 * /notifyevent gives the event type's channel, the overrides and the augments (notify-event/compile.ts).
 * The system and tenant layers are added when the request is planned.
 */
export interface SendRequest {
  channels: Partial<Record<Channel, ChannelRequest>>;
  /** Top-level inline attachments (email), at `attachments`. */
  attachments?: AttachmentInput[];
  delayedSend?: string;
  correlationId?: string;
  tags?: string[];
  eventType?: Resolution["eventType"];
  notSent?: Resolution["notSent"];
  /** Event sends: the event type's one-click unsubscribe choice; unset, the tenant default decides (unsubscribe/list-unsubscribe.ts). */
  listUnsubscribe?: boolean;
  /**
   * A one-click unsubscribe URL the sender gives for this send (Notify v2's
   * `one_click_unsubscribe_url`, https, validated by the route): every email of the send carries
   * it as List-Unsubscribe instead of our own link, whatever `listUnsubscribe` and the tenant say.
   */
  oneClickUnsubscribeUrl?: string;
  /** Send even when the same resolved notification was accepted within the duplicate window (send/duplicate-window.ts). */
  allowDuplicate?: boolean;
}

/** A simple-send channel's mail merge, if it has one: the channel without its merge fields, and the parsed rows. */
function splitMerge(channel: Record<string, unknown>, name: Channel, path: string, mergePath?: string): { channel: Record<string, unknown>; merge?: MergeRequest } {
  const recipients = channel.recipients as { mergeArray?: string[][]; skipInvalidRows?: boolean } | undefined;
  if (!recipients || (recipients.mergeArray === undefined && recipients.skipInvalidRows === undefined)) return { channel };
  const { mergeArray, skipInvalidRows, ...rest } = recipients;
  mergePath ??= joinPath(path, "recipients.mergeArray");
  if (mergeArray === undefined || (name !== "email" && name !== "sms")) return { channel: { ...channel, recipients: rest } };
  return { channel: { ...channel, recipients: rest }, merge: { path: mergePath, parsed: parseMerge(mergeArray, name, mergePath), skipInvalidRows: skipInvalidRows === true } };
}

/** A simple-send channel: the request's top-level params, then the channel itself. */
function simpleChannel(name: Channel, input: Record<string, unknown>, path: string, topParams: Record<string, unknown> | undefined, mergePath?: string): ChannelRequest {
  // allowDuplicate is about the request, not a setting of the channel: it is not a layer's value.
  const { allowDuplicate: _allowDuplicate, ...settings } = input;
  const { channel, merge } = splitMerge(settings, name, path, mergePath);
  const layers = topParams ? [documentLayer("request", { params: topParams }, ""), documentLayer("request", channel, path)] : [documentLayer("request", channel, path)];
  return { layers, path, paramsPath: joinPath(path, "params"), ...(merge ? { merge } : {}) };
}

/**
 * A /notifysimple body as layers. `mergePaths` names where a channel's merge rows came from when
 * they were not written in the JSON (a CSV upload's `file`), so row errors point there.
 */
export function fromSimple(body: SimpleSendInput, mergePaths: Partial<Record<Channel, string>> = {}): SendRequest {
  const channels: SendRequest["channels"] = {};
  for (const name of CHANNELS) {
    const channel = body[name];
    if (channel) channels[name] = simpleChannel(name, channel, name, body.params, mergePaths[name]);
  }
  const allowDuplicate = body.allowDuplicate === true || CHANNELS.some((name) => (body[name] as { allowDuplicate?: boolean } | undefined)?.allowDuplicate === true);
  return { channels, attachments: body.attachments, delayedSend: body.delayedSend, correlationId: body.correlationId, tags: body.tags, ...(allowDuplicate ? { allowDuplicate } : {}) };
}

/** /notifysimple/email and /notifysimple/sms: the body is the channel, so paths have no prefix. */
export function fromEmailChannel(channel: EmailChannelInput): SendRequest {
  return { channels: { email: simpleChannel("email", channel, "", undefined) }, ...(channel.allowDuplicate ? { allowDuplicate: true } : {}) };
}

export function fromSmsChannel(channel: SmsChannelInput): SendRequest {
  return { channels: { sms: simpleChannel("sms", channel, "", undefined) }, ...(channel.allowDuplicate ? { allowDuplicate: true } : {}) };
}

/**
 * A channel's missing content is a malformed request (400) on a simple send, but a gap in the
 * stored configuration on an event send: a 422 naming where the value was expected.
 */
async function missingAsUnprocessable<T>(eventSend: boolean, plan: () => Promise<T>): Promise<T> {
  try {
    return await plan();
  } catch (err) {
    if (eventSend && err instanceof ApiError && err.code === "invalid_request") throw new ApiError("unprocessable", { detail: err.detail, errors: err.errors });
    throw err;
  }
}

/** The inline attachment lists of a resolved email, grouped by the list each was written in. */
function attachmentLists(resolved: ResolvedChannel): AttachmentList[] {
  const lists: AttachmentList[] = [];
  for (const item of resolved.entries<AttachmentInput>("attachments")) {
    const listPath = item.path.replace(/\[\d+\]$/, "");
    const last = lists.at(-1);
    if (last && last.path === listPath) last.inputs.push(item.value);
    else lists.push({ inputs: [item.value], path: listPath });
  }
  return lists;
}

/**
 * Resolves every channel through the cascade (resolve/cascade.ts), renders and validates it.
 * Channels are checked independently and their problems reported together, so nothing is stored
 * unless all of the request is sendable.
 */
export async function planRequest(ctx: SendContext, request: SendRequest, options: PlanOptions = {}): Promise<Plan> {
  const problems = new ProblemCollector();
  const scheduleOf = (value: string | undefined, path: string) => problems.run(() => parseDelayedSend(value, path, ctx.now));
  const topSchedule = (await scheduleOf(request.delayedSend, "delayedSend")) ?? null;

  const resolved: Partial<Record<Channel, ResolvedChannel>> = {};
  for (const name of CHANNELS) {
    const channel = request.channels[name];
    if (!channel) continue;
    const r = await problems.run(() => resolveSendChannel(ctx, name, channel.layers, channel.path), channel.path || "(root)");
    if (r) resolved[name] = r;
  }
  // Recipient groups: every `group:<name>` of the resolved recipient lists, loaded in one D1 round trip.
  const groups = await loadReferencedGroups(ctx, resolved);

  // One D1 read for the templates every channel names (a channel alone reads its own).
  await problems.run(() => preloadTemplates(ctx, Object.values(resolved)));

  let attachments: DecodedAttachment[] = [];
  let serviceAttachments: ReturnType<typeof serviceAttachmentEntries> = [];
  if (resolved.email) {
    const lists = [{ inputs: request.attachments ?? [], path: "attachments" }, ...attachmentLists(resolved.email)];
    const decoded = decodeAttachments(lists);
    problems.addUnprocessable(decoded.errors);
    attachments = decoded.attachments;
    serviceAttachments = serviceAttachmentEntries(lists);
  } else if (request.attachments?.length) {
    problems.unprocessableField("attachments", "Attachments travel by email only; this request has no email channel");
  }

  // Files travel by email only, one email to its own recipients: Notify's "Can only send a file by email".
  const fileRefused = new Set<Channel>();
  for (const name of CHANNELS) {
    const r = resolved[name];
    if (!r) continue;
    const files = fileParamNames(r.params());
    const refusal = name !== "email" ? "Can only send a file by email" : request.channels[name]?.merge ? "A mail merge cannot send a file by email: send each recipient their own email" : null;
    if (!refusal || files.length === 0) continue;
    for (const file of files) problems.invalidField(r.pathOf(`params.${file}`), refusal);
    fileRefused.add(name);
  }

  const emailFiles: PlannedEmailFile[] = [];
  const deliveries: PlannedDelivery[] = [];
  const mergeSummaries: Plan["merge"] = {};
  const fanout: NonNullable<Plan["fanout"]> = {};
  const eventSend = request.eventType !== undefined;
  for (const name of CHANNELS) {
    const r = resolved[name];
    const channel = request.channels[name];
    if (!r || !channel || fileRefused.has(name)) continue;
    const own = r.get<string>("delayedSend");
    const scheduledFor = (own !== undefined ? await scheduleOf(own, r.pathOf("delayedSend")) : topSchedule) ?? null;
    const input = { resolved: r, paramsPath: channel.paramsPath, scheduledFor, groups, eventType: request.eventType?.code };
    const fallback = channel.path || "(root)";
    if (channel.merge && (name === "email" || name === "sms")) {
      const merge = channel.merge;
      const planRow = (resolved: ResolvedChannel, paramsPath: string) =>
        name === "email" ? planEmail(ctx, { ...input, resolved, paramsPath, attachments, serviceAttachments }) : planSms(ctx, { ...input, resolved, paramsPath });
      if (!options.planAllRows && merge.parsed.rows.length > FANOUT_MIN_ROWS) {
        const fanned = await planFanoutMerge(ctx, name, r, channel, merge, planRow, options.mergeRowsShown ?? 1, groups);
        for (const { code, error, detail } of fanned.planned.requestErrors) problems.add(new ApiError(code, { detail, errors: [error] }));
        const rows = merge.parsed.rows.length + new Set(merge.parsed.errors.map((e) => e.row)).size;
        if (fanned.errors.length > 0 && !merge.skipInvalidRows) problems.add(rowErrorsProblem(merge.path, rows, fanned.errors));
        else if (fanned.notAllowed.length > 0 && !merge.skipInvalidRows) problems.add(notAllowedProblem(ctx, fanned.notAllowed));
        else if (fanned.rows.length === 0 && fanned.planned.requestErrors.length === 0) problems.add(rowErrorsProblem(merge.path, rows, [...fanned.errors, ...fanned.notAllowed], true));
        deliveries.push(...fanned.planned.deliveries);
        fanout[name] = { rows: fanned.rows, recipients: fanned.recipients, addresses: fanned.addresses };
        const skipped = [...fanned.errors, ...fanned.notAllowed].sort((a, b) => a.row - b.row);
        mergeSummaries[name] = summarize(merge, fanned.rows.length, skipped, { notAllowed: new Set(fanned.notAllowed.map((e) => e.row)).size });
        continue;
      }
      const planned = await planMerge(ctx, name, channel.layers, channel.path, merge, planRow);
      for (const { code, error, detail } of planned.requestErrors) problems.add(new ApiError(code, { detail, errors: [error] }));
      const rows = merge.parsed.rows.length + new Set(merge.parsed.errors.map((e) => e.row)).size;
      if (planned.rowErrors.length > 0 && !merge.skipInvalidRows) problems.add(rowErrorsProblem(merge.path, rows, planned.rowErrors));
      else if (planned.deliveries.length === 0 && planned.requestErrors.length === 0) problems.add(rowErrorsProblem(merge.path, rows, planned.rowErrors, true));
      deliveries.push(...planned.deliveries);
      mergeSummaries[name] = summarize(merge, new Set(planned.deliveries.map((d) => d.mergeRow)).size, planned.rowErrors);
      continue;
    }
    if (name === "email") {
      const planned = await problems.run(() => missingAsUnprocessable(eventSend, () => planEmail(ctx, { ...input, attachments, serviceAttachments, emailFiles })), fallback);
      deliveries.push(...(planned ?? []));
    } else {
      const planned = await problems.run(() => missingAsUnprocessable(eventSend, () => (name === "sms" ? planSms(ctx, input) : planMsgApp(ctx, input))), fallback);
      deliveries.push(...(planned ?? []));
    }
  }
  problems.throwIfAny();
  const callbacks = await resolveCallbacks(ctx, resolved);

  const channelTags = CHANNELS.flatMap((name) => resolved[name]?.get<string[]>("tags") ?? []);
  const correlationId = request.correlationId ?? CHANNELS.map((name) => resolved[name]?.get<string>("correlationId")).find((id) => id !== undefined);
  const explained: Resolution["channels"] = {};
  for (const name of CHANNELS) {
    const r = resolved[name];
    if (!r) continue;
    // Callbacks no layer set still resolve (every matching registration): the rule is the system's.
    explained[name] = { ...r.explain(), ...(callbacks.byChannel[name] || callbacks.sources[name] !== "system" ? { callbacks: callbacks.sources[name]! } : {}) };
    if (name === "sms") explained.sms = { ...explained.sms, region: resolveRegion(ctx).source };
  }
  return {
    deliveries,
    attachments,
    ...(emailFiles.length > 0 ? { emailFiles } : {}),
    ...(correlationId ? { correlationId } : {}),
    tags: [...new Set([...(request.tags ?? []), ...channelTags])],
    resolution: {
      ...(request.eventType ? { eventType: request.eventType } : {}),
      channels: explained,
      ...(request.notSent && Object.keys(request.notSent).length > 0 ? { notSent: request.notSent } : {}),
      ...(Object.keys(callbacks.byChannel).length > 0 ? { callbacks: callbacks.byChannel } : {}),
    },
    ...(Object.keys(mergeSummaries).length > 0 ? { merge: mergeSummaries } : {}),
    ...(Object.keys(fanout).length > 0 ? { fanout } : {}),
  };
}

/**
 * A merge to fan out, as the request sees it: its first `shown` rows planned in full (which finds
 * any problem of the request as a whole, and is what a preview shows), every row checked
 * (merge/check-rows.ts). A row is sent only when both pass.
 */
async function planFanoutMerge(
  ctx: SendContext,
  name: "email" | "sms",
  base: ResolvedChannel,
  channel: ChannelRequest,
  merge: MergeRequest,
  planRow: Parameters<typeof planMerge>[5],
  shown: number,
  groups: GroupDirectory,
) {
  const head = { ...merge, parsed: { ...merge.parsed, rows: merge.parsed.rows.slice(0, Math.max(1, shown)), errors: [] } };
  const planned = await planMerge(ctx, name, channel.layers, channel.path, head, planRow);
  const checked = await checkMergeRows(ctx, name, base, merge.parsed, merge.path, groups);
  // A first row the check passed may still fail to render: it is not sent either.
  const failedHead = new Set(planned.rowErrors.map((e) => e.row));
  const known = new Set(checked.errors.map((e) => `${e.row}\u0000${e.path}\u0000${e.message}`));
  const errors: RowError[] = [...checked.errors, ...planned.rowErrors.filter((e) => !known.has(`${e.row}\u0000${e.path}\u0000${e.message}`))].sort((a, b) => a.row - b.row);
  const rows = checked.rows.filter((r) => !failedHead.has(r.row));
  const sendable = new Set(rows.map((r) => r.row));
  const addresses = checked.addresses.filter((_, i) => !failedHead.has(checked.rows[i]!.row));
  const recipients = addresses.reduce((n, a) => n + a.length, 0);
  // The bound on a merge's recipients holds for them as rendered (a cell `{{list}}` may hold many).
  if (recipients > MAX_MERGE_RECIPIENTS) {
    throw new ApiError("payload_too_large", {
      detail: `The merge addresses ${recipients} recipients once its rows are rendered; a request may merge at most ${MAX_MERGE_RECIPIENTS} recipients (split larger lists into several merges)`,
      errors: [{ path: merge.path, message: `At most ${MAX_MERGE_RECIPIENTS} recipients in all` }],
    });
  }
  return {
    planned: { ...planned, deliveries: planned.deliveries.filter((d) => d.mergeRow !== undefined && sendable.has(d.mergeRow)) },
    rows,
    errors,
    notAllowed: checked.notAllowed,
    recipients,
    addresses,
  };
}

/** The refusal of a merge addressing people off the guest list that did not ask to skip those rows (guest-list-check.ts's rule). */
function notAllowedProblem(ctx: SendContext, errors: RowError[]): ApiError {
  const restriction = ctx.principal.keyType === "team" ? "A team key may send only to the tenant's guest list" : "A tenant in trial mode may send only to its guest list";
  return new ApiError("recipient_not_allowed", { detail: `${restriction}; ${errors.length} recipient${errors.length === 1 ? " is" : "s are"} not on it`, errors });
}
