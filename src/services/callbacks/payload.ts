import type { CallbackEventRow, Channel, MessageStatus, ReceivedTextRow } from "../../db/schema";
import { notifyTime } from "../notify-v2/time";

/** The JSON body of a status callback (README "Status callbacks"). */
export interface CallbackPayload {
  type: "message.status";
  /** The event id, also the `webhook-id` header: the same on every attempt and replay. */
  id: string;
  notifyId: string;
  messageId: string;
  channel: Channel;
  recipient: string;
  status: MessageStatus;
  /** Why, for a failure: the message's error in words. */
  detail: string | null;
  /** For a failure, whether sending the notification again may succeed. */
  retryable: boolean | null;
  /** The error's code, for a failure (e.g. provider_rejected). */
  code: string | null;
  provider: string | null;
  correlationId: string | null;
  tags: string[];
  /** When the message was created (the notification accepted). */
  createdAt: string;
  /** When the message reached `status`. */
  occurredAt: string;
}

/**
 * The body of an outbox event, from the event row and its message and notification.
 *
 * @example
 * ```ts
 * callbackPayload({ event, recipient: "ann@example.com", channel: "email", messageCreatedAt, correlationId: null, tags: [], provider: "ses" })
 * // { type: "message.status", id: "evt_…", status: "delivered", provider: "ses", … }
 * ```
 */
export function callbackPayload(input: {
  event: CallbackEventRow;
  recipient: string;
  channel: Channel;
  messageCreatedAt: Date;
  correlationId: string | null;
  tags: string[];
  provider: string | null;
}): CallbackPayload {
  const { event } = input;
  return {
    type: "message.status",
    id: event.id,
    notifyId: event.notificationId!,
    messageId: event.messageId,
    channel: input.channel,
    recipient: input.recipient,
    // A message.status event always has one; only received-text events leave it null.
    status: event.status!,
    detail: event.detail?.message ?? null,
    retryable: event.detail?.retryable ?? null,
    code: event.detail?.code ?? null,
    provider: event.detail?.provider ?? input.provider,
    correlationId: input.correlationId,
    tags: input.tags,
    createdAt: input.messageCreatedAt.toISOString(),
    occurredAt: event.occurredAt.toISOString(),
  };
}

/** The JSON body of a received-text callback: GOV.UK Notify's inbound SMS callback, field for field. */
export interface ReceivedTextPayload {
  /** The received text's id, as GET /v2/received-text-messages answers it. */
  id: string;
  /** Who sent it (E.164, or the network's name for a short code or alphanumeric sender). */
  source_number: string;
  /** The tenant's inbound number it was sent to. */
  destination_number: string;
  message: string;
  /** When it was received, in Notify's format (microseconds, Z). */
  date_received: string;
}

/**
 * The body of a `received-text` event, from the stored text.
 *
 * @example
 * ```ts
 * receivedTextPayload(row)
 * // { id: "0193…", source_number: "+447700900123", destination_number: "+447700900000", message: "Hello", date_received: "2026-11-28T01:02:03.456000Z" }
 * ```
 */
export function receivedTextPayload(text: Pick<ReceivedTextRow, "id" | "userNumber" | "notifyNumber" | "content" | "createdAt">): ReceivedTextPayload {
  return { id: text.id, source_number: text.userNumber, destination_number: text.notifyNumber, message: text.content, date_received: notifyTime(text.createdAt) };
}
