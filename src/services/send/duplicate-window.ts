import { and, eq } from "drizzle-orm";
import { type NotificationRow, notifications } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import type { Channel } from "../../db/schema";
import { admitSend } from "../gate/admit";
import type { SendContext } from "./context";
import type { EmailPayload, MsgAppPayload, PlannedDelivery, SmsPayload } from "./payloads";
import type { Plan, SendRequest } from "./plan";

/** How long an accepted notification is remembered unless the tenant says otherwise (`duplicateWindowSeconds`). */
export const DEFAULT_DUPLICATE_WINDOW_SECONDS = 300;

/** Statuses after which the same notification may be sent again inside the window. */
const RESENDABLE: ReadonlySet<NotificationRow["status"]> = new Set(["failed", "cancelled"]);

/** JSON with object keys sorted, so equal values always give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const folded = (list: string[] | undefined) => (list ?? []).map((a) => a.toLowerCase()).sort();

/** What makes one provider call the same as another: who it reaches and what it says, not how it is keyed. */
function describe(d: PlannedDelivery): unknown {
  const base = { channel: d.channel, provider: d.provider, scheduledFor: d.scheduledFor?.toISOString() ?? null, template: d.template, failed: d.failed?.code ?? null };
  if (d.channel === "email") {
    // Not the headers: one-click unsubscribe links carry a token made for each send.
    const p = d.payload as EmailPayload;
    const { to, cc, bcc } = p.recipients;
    return { ...base, from: p.from.toLowerCase(), replyTo: folded(p.replyTo), to: folded(to), cc: folded(cc), bcc: folded(bcc), content: p.content, attachments: p.attachments, services: p.serviceAttachments ?? [] };
  }
  if (d.channel === "sms") {
    const p = d.payload as SmsPayload;
    return { ...base, from: p.from, to: [...p.recipients.to].sort(), body: p.content.body };
  }
  const p = d.payload as MsgAppPayload;
  return { ...base, target: { type: p.target.type, url: p.target.url, name: p.target.name ?? null }, content: p.content };
}

/** The parts of a merge row's provider call that do not depend on the row. */
function rowIndependent(d: PlannedDelivery): unknown {
  const from = d.channel === "email" ? (d.payload as EmailPayload).from.toLowerCase() : d.channel === "sms" ? (d.payload as SmsPayload).from : null;
  return { provider: d.provider, scheduledFor: d.scheduledFor?.toISOString() ?? null, template: d.template, from };
}

async function sha256(data: string | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", typeof data === "string" ? new TextEncoder().encode(data) : data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The notification as resolved, reduced to a digest: every provider call it makes (addresses
 * case-folded, numbers in E.164, lists sorted, the rendered content, when it is due), its
 * attachments' bytes, and for a fanned-out merge a digest of its rows (each row's recipients and
 * values, in any order) with the content its rows are rendered from. Two requests that resolve to
 * the same notification, however they were written, have the same digest.
 */
export async function notificationDigest(request: SendRequest, plan: Plan, fanoutSample: PlannedDelivery[] = []): Promise<string> {
  const fanout = plan.fanout ?? {};
  const inline = plan.deliveries.filter((d) => !(d.mergeRow !== undefined && fanout[d.channel as "email" | "sms"]));
  const attachments = await Promise.all(plan.attachments.map(async (a) => ({ name: a.filename, type: a.contentType, sha: await sha256(a.content) })));
  const merges = Object.entries(fanout).map(([channel, rows]) => ({
    channel,
    content: request.channels[channel as "email" | "sms"]?.layers.map((l) => l.value) ?? [],
    // What the request's fields alone do not say, as its first rows resolved it: the template's
    // current version, the sender, the provider, when the rows are due. Not the rows' own
    // recipients and text, so the same rows in another order are still the same notification.
    resolved: [...new Set(fanoutSample.filter((d) => d.channel === channel).map((d) => canonical(rowIndependent(d))))].sort(),
    rows: rows!.rows.map((r, i) => canonical({ to: [...(rows!.addresses[i] ?? [])].sort(), params: r.params })).sort(),
  }));
  // A file's link is new on every send: the same file, name and download rules are the same notification.
  const unlinked = (text: string) =>
    (plan.emailFiles ?? []).reduce((t, f) => t.replaceAll(f.id, `file:${f.contentHash}`).replaceAll(f.secret, `${f.filename}|${f.retentionWeeks}|${f.confirmEmail}`), text);
  return sha256(canonical({ deliveries: inline.map((d) => unlinked(canonical(describe(d)))).sort(), attachments, merges, tags: [...plan.tags].sort(), correlationId: plan.correlationId ?? null }));
}

export type WindowAdmission =
  | { kind: "admitted"; notifyId?: string; refund: (options?: { keepWindow?: boolean }) => Promise<void>; releaseWindow: () => Promise<void>; rateLimit: Record<string, string> }
  | { kind: "duplicate"; original: NotificationRow; rateLimit: Record<string, string> };

/**
 * Admission and the duplicate window in one call to the tenant's Durable Object (gate/admit.ts):
 * the object remembers each admitted notification's digest for the window (300 s unless the
 * tenant's `duplicateWindowSeconds` says otherwise; 0 turns it off), and refuses as a duplicate,
 * taking nothing, a send whose digest it still remembers. That send is answered with the first
 * notification, unless that one failed or was cancelled (then it is sent anew, taking the digest
 * over) or the request says `allowDuplicate`. A copy arriving while the first is still being
 * stored waits for it (about a second at most) and is answered with it; if the first is still not
 * stored then, the copy gets 409 with `Retry-After: 1`, and sent again is answered with it. When
 * admitted, the caller stores the notification under `notifyId`; `refund` gives back both the
 * allowance and the window's entry if it cannot.
 */
/** Pauses before asking again about a copy still being accepted: about a second in all, then 409. */
const IN_FLIGHT_WAITS_MS = [20, 40, 80, 160, 300, 400];

export async function admitWithWindow(
  ctx: SendContext,
  request: SendRequest,
  plan: Plan,
  sending: Partial<Record<Channel, number>>,
  fanoutSample: PlannedDelivery[] = [],
  options: { tokenTaken?: boolean; notifyId?: string } = {},
): Promise<WindowAdmission> {
  const seconds = ctx.settings.duplicateWindowSeconds ?? DEFAULT_DUPLICATE_WINDOW_SECONDS;
  // Without a window there is no duplicate to refuse: the answer is always an admission.
  if (request.allowDuplicate || seconds <= 0) return (await admitSend(ctx, sending, undefined, options)) as WindowAdmission;
  const hash = await notificationDigest(request, plan, fanoutSample);
  const notifyId = options.notifyId ?? uuidv7(ctx.now.getTime());
  let replacing: string | undefined;
  let waits = 0;
  for (let call = 0; ; call++) {
    // A later call for the same request takes no second token.
    const admitted = await admitSend(ctx, sending, { hash, notifyId, windowMs: seconds * 1000, ...(replacing ? { replacing } : {}) }, { tokenTaken: call > 0 || options.tokenTaken === true });
    if (admitted.kind === "admitted") return { ...admitted, notifyId };
    const [original] = await ctx.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.id, admitted.notifyId), eq(notifications.tenantId, ctx.tenant.id)));
    if (original) {
      if (!RESENDABLE.has(original.status)) return { kind: "duplicate", original, rateLimit: admitted.rateLimit };
      // The first failed or was cancelled: this one is sent, and takes the digest over (once).
      if (replacing) break;
      replacing = original.id;
      continue;
    }
    // Remembered but not stored yet: the first is being accepted right now, and will be stored
    // or given back in moments (a send whose store check finds a suppressed recipient gives its
    // entry back and is admitted again). Copies fired together wait for that rather than answer 409.
    if (waits >= IN_FLIGHT_WAITS_MS.length) break;
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_WAITS_MS[waits++]));
  }
  // Remembered but not stored yet: the first is being accepted at this very moment.
  throw new ApiError("conflict", {
    detail: "The same notification is being accepted by another request right now; retry to get its answer",
    headers: { "Retry-After": "1" },
  });
}
