import type { ChatMessage, EmailMessage, OutboundAttachment, SmsMessage } from "../../channels/types";
import { createDb } from "../../db/client";
import type { DeliveryRow } from "../../db/schema";
import type { Env } from "../../env";
import { parseMailbox } from "../../lib/mailbox";
import type { EmailPayload, MsgAppPayload, SmsPayload } from "../send/payloads";
import { fetchServiceDocuments } from "../tenant-services/attachment";

/** An attachment object vanished from R2: the email cannot be sent as the tenant asked. */
export class MissingAttachmentError extends Error {}

/**
 * Turns a stored payload (what the preview showed) into the adapter's message. Email attachments
 * are read back from R2 here, at send time, so queue messages and rows stay small.
 */
export async function toEmailMessage(env: Env, delivery: DeliveryRow): Promise<EmailMessage> {
  const payload = delivery.payload as unknown as EmailPayload;
  const attachments: OutboundAttachment[] = await Promise.all(
    payload.attachments.map(async (a) => {
      const object = a.key ? await env.BUCKET.get(a.key) : null;
      if (!object) throw new MissingAttachmentError(`Attachment ${a.filename} is no longer stored`);
      return { filename: a.filename, contentType: a.contentType, content: new Uint8Array(await object.arrayBuffer()) };
    }),
  );
  // Documents from the tenant's attachment services, rendered now; a failure is a ServiceCallError.
  if (payload.serviceAttachments?.length) {
    const inlineBytes = attachments.reduce((n, a) => n + a.content.byteLength, 0);
    attachments.push(...(await fetchServiceDocuments(createDb(env.DB), env, delivery.tenantId, payload.serviceAttachments, inlineBytes)));
  }
  const { content } = payload;
  const html = content.bodyType === "text" ? undefined : content.html;
  const text = content.bodyType === "text" ? content.body : content.text;
  return {
    deliveryId: delivery.id,
    from: parseMailbox(payload.from),
    replyTo: payload.replyTo.map(parseMailbox),
    to: payload.recipients.to,
    cc: payload.recipients.cc ?? [],
    bcc: payload.recipients.bcc ?? [],
    subject: content.subject,
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    attachments,
    ...(payload.headers ? { headers: payload.headers } : {}),
  };
}

export function toSmsMessage(delivery: DeliveryRow): SmsMessage {
  const payload = delivery.payload as unknown as SmsPayload;
  return { deliveryId: delivery.id, from: payload.from, to: payload.recipients.to[0]!, body: payload.content.body };
}

export function toChatMessage(delivery: DeliveryRow): ChatMessage {
  const payload = delivery.payload as unknown as MsgAppPayload;
  const { name: _name, ...target } = payload.target;
  return {
    deliveryId: delivery.id,
    target,
    text: payload.content.text,
    ...(payload.content.card !== undefined ? { card: payload.content.card } : {}),
  };
}
