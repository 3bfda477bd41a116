import type { CallbackEventRow, Channel, MessageStatus } from "../../db/schema";

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
    notifyId: event.notificationId,
    messageId: event.messageId,
    channel: input.channel,
    recipient: input.recipient,
    status: event.status,
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
