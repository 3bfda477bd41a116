import type { BodyType, Channel } from "../../db/schema";
import type { ChatTargetType } from "../../channels/types";
import type { ServiceAttachmentRef } from "../tenant-services/attachment";

/**
 * The rendered message for one provider call, exactly as a preview shows it and as the
 * delivery consumer hands it to the adapter. Stored in deliveries.payload.
 */
export interface EmailPayload {
  provider: string;
  from: string;
  replyTo: string[];
  recipients: { to: string[]; cc?: string[]; bcc?: string[] };
  content: {
    subject: string;
    body: string;
    bodyType: BodyType;
    encoding: "utf-8";
    renderer: string;
    html?: string;
    text?: string;
  };
  attachments: { filename: string; contentType: string; size: number; key?: string }[];
  /** Extra header fields every adapter writes (one-click unsubscribe: `List-Unsubscribe`, `List-Unsubscribe-Post`). */
  headers?: Record<string, string>;
  /** Documents an attachment service renders at delivery time, attached after `attachments`. */
  serviceAttachments?: ServiceAttachmentRef[];
}

export interface SmsPayload {
  provider: string;
  from: string;
  recipients: { to: string[] };
  content: { body: string; length: number; fragments: number; encoding: "GSM-7" | "UCS-2" };
}

export interface MsgAppPayload {
  provider: string;
  target: { type: ChatTargetType; name?: string; url: string; secret?: string };
  content: { text: string; card?: Record<string, unknown> | unknown[] };
}

export type Payload = EmailPayload | SmsPayload | MsgAppPayload;

export interface PlannedRecipient {
  address: string;
  role: "to" | "cc" | "bcc" | null;
  /** Where the recipient came from (`email.recipients.to[1]`), so a refusal can name the field. Not stored. */
  path?: string;
}

/** Why a planned delivery failed before any provider call (a tenant service could not be asked). */
export interface PlannedFailure {
  code: string;
  message: string;
  retryable: boolean;
  httpStatus?: number;
}

/** One provider call to make, with the recipient rows it will report on. */
export interface PlannedDelivery {
  channel: Channel;
  /** The provider the first attempt uses (the primary). */
  provider: string;
  /** Every provider the delivery may use, in failover order (`provider` first); absent when there is only one. */
  providers?: string[];
  payload: Payload;
  recipients: PlannedRecipient[];
  scheduledFor: Date | null;
  template: { id: string; version: number } | null;
  /** Set when the delivery failed while it was planned: it is stored failed and never sent. */
  failed?: PlannedFailure;
  /** A mail merge's data row this delivery renders (1-based); not stored. */
  mergeRow?: number;
}

/** A payload as previews show it: no storage keys, no webhook secrets. */
export function previewPayload(delivery: PlannedDelivery): Payload | { failed: PlannedFailure; recipients: string[] } {
  if (delivery.failed) return { failed: delivery.failed, recipients: delivery.recipients.map((r) => r.address) };
  const payload = delivery.payload;
  if (delivery.channel === "email") {
    const email = payload as EmailPayload;
    return { ...email, attachments: email.attachments.map(({ key: _key, ...rest }) => rest) };
  }
  if (delivery.channel === "msgApp") {
    const chat = payload as MsgAppPayload;
    const { secret: _secret, ...target } = chat.target;
    return { ...chat, target };
  }
  return payload;
}
