import { createMimeMessage, Mailbox } from "mimetext/browser";
import { bytesToBase64, utf8ToBase64 } from "../encoding";
import type { EmailMessage } from "../types";

function mailbox(address: { email: string; name?: string }) {
  return address.name ? { addr: address.email, name: address.name } : { addr: address.email };
}

/**
 * Builds the raw RFC 5322 message for providers that take MIME (SES raw content). Bodies are
 * base64 so any UTF-8 text survives 7-bit transports; Bcc is deliberately left out of the
 * headers — it travels only in the provider's envelope.
 *
 * @example
 * ```ts
 * const raw = buildMime(message); // "Date: …\r\nFrom: …\r\nTo: …\r\nSubject: =?utf-8?B?…?=\r\n…"
 * ```
 */
export function buildMime(message: EmailMessage): string {
  const msg = createMimeMessage();
  msg.setSender(mailbox(message.from));
  if (message.to.length > 0) msg.setTo(message.to);
  if (message.cc.length > 0) msg.setCc(message.cc);
  // mimetext models Reply-To as one mailbox; the provider envelope carries the full list.
  if (message.replyTo[0]) msg.setHeader("Reply-To", new Mailbox(mailbox(message.replyTo[0]), { type: "From" }));
  msg.setSubject(message.subject);
  msg.setHeader("Message-ID", `<${message.deliveryId}@${message.from.email.split("@")[1] ?? "notify"}>`);
  msg.setHeader("X-Notify-Delivery-Id", message.deliveryId);
  if (message.text !== undefined) msg.addMessage({ contentType: "text/plain", data: utf8ToBase64(message.text), encoding: "base64" });
  if (message.html !== undefined) msg.addMessage({ contentType: "text/html", data: utf8ToBase64(message.html), encoding: "base64" });
  for (const a of message.attachments) {
    msg.addAttachment({ filename: a.filename, contentType: a.contentType, data: bytesToBase64(a.content) });
  }
  return msg.asRaw();
}
