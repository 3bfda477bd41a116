import type { SuppressionRow, SuppressionSource } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import type { EmailPayload, PlannedDelivery } from "../send/payloads";
import type { Plan } from "../send/plan";
import { findSuppressed, type SuppressibleChannel, suppressionKey } from "./suppressions";

/** A planned recipient the suppression list removed, as the send response and the preview list it. */
export interface SuppressedRecipient {
  channel: SuppressibleChannel;
  /** As planned (the normalised address or E.164 number). */
  recipient: string;
  /** The recipient field it came from (`email.recipients.cc[0]`; a group's members share the `group:` entry's path). */
  path?: string;
  reason: string;
  source: SuppressionSource;
}

const keyOf = (channel: SuppressibleChannel, address: string): string | null => {
  // Planned recipients are already valid and normalised; the key only case-folds addresses.
  const key = suppressionKey(channel, address, "CA");
  return key.ok ? key.recipient : null;
};

/** The suppression keys of a plan's recipients: email and SMS deliveries that are to be sent. */
export function suppressionKeysOf(plan: Plan): { channel: SuppressibleChannel; recipient: string }[] {
  const people = plan.deliveries.filter((d): d is PlannedDelivery & { channel: SuppressibleChannel } => (d.channel === "email" || d.channel === "sms") && !d.failed);
  return people.flatMap((d) => d.recipients.map((r) => ({ channel: d.channel, recipient: keyOf(d.channel, r.address) })).filter((k): k is { channel: SuppressibleChannel; recipient: string } => k.recipient !== null));
}

/**
 * Removes suppressed recipients from a plan (email and SMS; chat targets are not people), after
 * planning and the guest-list check and before admission and storage. All of a request's
 * recipients are looked up in one D1 round trip. An email keeps its other recipients (to, cc and
 * bcc alike); a delivery left with no recipient is dropped. When nothing at all is left to send,
 * the request is a 422 naming each suppressed recipient at its field, and nothing is stored.
 */
export async function removeSuppressedRecipients(
  ctx: Pick<ServiceContext, "db" | "env" | "tenant">,
  plan: Plan,
  known?: Map<string, SuppressionRow>,
): Promise<{ plan: Plan; suppressed: SuppressedRecipient[] }> {
  const keys = suppressionKeysOf(plan);
  if (keys.length === 0) return { plan, suppressed: [] };
  const found = known ?? (await findSuppressed(ctx, keys));
  if (found.size === 0) return { plan, suppressed: [] };

  const suppressed: SuppressedRecipient[] = [];
  const deliveries: PlannedDelivery[] = [];
  for (const delivery of plan.deliveries) {
    // A delivery that failed while planned is kept as the record of that failure.
    if ((delivery.channel !== "email" && delivery.channel !== "sms") || delivery.failed) {
      deliveries.push(delivery);
      continue;
    }
    const channel = delivery.channel;
    const removed = new Set<string>();
    const recipients = delivery.recipients.filter((r) => {
      const row = found.get(`${channel}:${keyOf(channel, r.address)}`);
      if (!row) return true;
      removed.add(r.address);
      suppressed.push({ channel, recipient: r.address, ...(r.path ? { path: r.path } : {}), reason: row.reason, source: row.source });
      return false;
    });
    if (removed.size === 0) deliveries.push(delivery);
    else if (recipients.length > 0) deliveries.push({ ...delivery, recipients, payload: withoutRecipients(delivery, removed) });
  }

  if (deliveries.length === 0) {
    throw new ApiError("unprocessable", {
      detail: `All recipients are suppressed (${suppressed.length}); nothing was sent`,
      errors: suppressed.map((s) => ({ path: s.path ?? s.channel, message: `${s.recipient} is on your ${s.channel} suppression list: ${s.reason}` })),
    });
  }
  const emailLeft = deliveries.some((d) => d.channel === "email");
  return { plan: { ...plan, deliveries, attachments: emailLeft ? plan.attachments : [] }, suppressed };
}

/** The payload without the removed addresses (an email's to/cc/bcc lists; an SMS has one number and is dropped whole). */
function withoutRecipients(delivery: PlannedDelivery, removed: Set<string>): PlannedDelivery["payload"] {
  if (delivery.channel !== "email") return delivery.payload;
  const email = delivery.payload as EmailPayload;
  const keep = (list: string[] | undefined) => list?.filter((a) => !removed.has(a));
  const cc = keep(email.recipients.cc);
  const bcc = keep(email.recipients.bcc);
  return {
    ...email,
    recipients: { to: keep(email.recipients.to) ?? [], ...(cc?.length ? { cc } : {}), ...(bcc?.length ? { bcc } : {}) },
  };
}
