import { type DecodedAttachment, decodeAttachments } from "./attachments";
import type { SendContext } from "./context";
import { joinPath } from "./defaults";
import type { PlannedDelivery } from "./payloads";
import { planEmail } from "./plan-email";
import { planMsgApp } from "./plan-msgapp";
import { planSms } from "./plan-sms";
import { ProblemCollector } from "./problems";
import type { EmailChannelInput, MsgAppChannelInput, SimpleSendInput, SmsChannelInput } from "./request-schema";
import { parseDelayedSend } from "./schedule";

export interface Plan {
  deliveries: PlannedDelivery[];
  /** Decoded email attachments, stored once per notification and shared by its email deliveries. */
  attachments: DecodedAttachment[];
  correlationId?: string;
  tags: string[];
}

/** The request of any simple-send route, reduced to the channels it carries. */
export interface SendRequest {
  email?: { channel: EmailChannelInput; path: string };
  sms?: { channel: SmsChannelInput; path: string };
  msgApp?: { channel: MsgAppChannelInput; path: string };
  params?: Record<string, unknown>;
  attachments?: SimpleSendInput["attachments"];
  delayedSend?: string;
  correlationId?: string;
  tags?: string[];
}

export function fromSimple(body: SimpleSendInput): SendRequest {
  return {
    ...(body.email ? { email: { channel: body.email, path: "email" } } : {}),
    ...(body.sms ? { sms: { channel: body.sms, path: "sms" } } : {}),
    ...(body.msgApp ? { msgApp: { channel: body.msgApp, path: "msgApp" } } : {}),
    params: body.params,
    attachments: body.attachments,
    delayedSend: body.delayedSend,
    correlationId: body.correlationId,
    tags: body.tags,
  };
}

/** /notifysimple/email and /notifysimple/sms: the body is the channel, so paths have no prefix. */
export function fromEmailChannel(channel: EmailChannelInput): SendRequest {
  return { email: { channel, path: "" }, correlationId: channel.correlationId, tags: channel.tags };
}

export function fromSmsChannel(channel: SmsChannelInput): SendRequest {
  return { sms: { channel, path: "" }, correlationId: channel.correlationId, tags: channel.tags };
}

/**
 * Resolves defaults, renders and validates every channel of a request. Channels are checked
 * independently and their problems reported together, so nothing is stored unless all of the
 * request is sendable.
 */
export async function planRequest(ctx: SendContext, request: SendRequest): Promise<Plan> {
  const problems = new ProblemCollector();
  const scheduleOf = (value: string | undefined, path: string) => problems.run(() => parseDelayedSend(value, path, ctx.now));
  const topSchedule = (await scheduleOf(request.delayedSend, "delayedSend")) ?? null;

  let attachments: DecodedAttachment[] = [];
  if (request.email) {
    const { channel, path } = request.email;
    const decoded = decodeAttachments([
      { inputs: request.attachments ?? [], path: "attachments" },
      { inputs: channel.attachments ?? [], path: joinPath(path, "attachments") },
    ]);
    problems.addUnprocessable(decoded.errors);
    attachments = decoded.attachments;
  } else if (request.attachments?.length) {
    problems.unprocessableField("attachments", "Attachments travel by email only; this request has no email channel");
  }

  const deliveries: PlannedDelivery[] = [];
  if (request.email) {
    const { channel, path } = request.email;
    const scheduledFor = channel.delayedSend !== undefined ? await scheduleOf(channel.delayedSend, joinPath(path, "delayedSend")) : topSchedule;
    const planned = await problems.run(() => planEmail(ctx, { channel, path, topParams: request.params, attachments, scheduledFor: scheduledFor ?? null }), path || "(root)");
    if (planned) deliveries.push(planned);
  }
  if (request.sms) {
    const { channel, path } = request.sms;
    const scheduledFor = channel.delayedSend !== undefined ? await scheduleOf(channel.delayedSend, joinPath(path, "delayedSend")) : topSchedule;
    deliveries.push(...((await problems.run(() => planSms(ctx, { channel, path, topParams: request.params, scheduledFor: scheduledFor ?? null }), path || "(root)")) ?? []));
  }
  if (request.msgApp) {
    const { channel, path } = request.msgApp;
    const scheduledFor = channel.delayedSend !== undefined ? await scheduleOf(channel.delayedSend, joinPath(path, "delayedSend")) : topSchedule;
    deliveries.push(
      ...((await problems.run(() => planMsgApp(ctx, { channel, path, topParams: request.params, scheduledFor: scheduledFor ?? null }), path || "(root)")) ?? []),
    );
  }
  problems.throwIfAny();

  const channelTags = [request.email?.channel.tags, request.sms?.channel.tags, request.msgApp?.channel.tags].flat().filter((t): t is string => !!t);
  const correlationId = request.correlationId ?? request.email?.channel.correlationId ?? request.sms?.channel.correlationId ?? request.msgApp?.channel.correlationId;
  return {
    deliveries,
    attachments,
    ...(correlationId ? { correlationId } : {}),
    tags: [...new Set([...(request.tags ?? []), ...channelTags])],
  };
}
