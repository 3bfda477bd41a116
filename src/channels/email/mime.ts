import { createMimeMessage, Mailbox, type MailboxAddrObject } from "mimetext/browser";
import { stripUnsafeText } from "../../lib/display-name";
import { bytesToBase64, utf8ToBase64 } from "../encoding";
import type { EmailAddress, EmailMessage } from "../types";
import { withAsciiAddresses } from "./address";
import { safeHeaders } from "./headers";

const CRLF = "\r\n";
/**
 * Bytes per RFC 2047 encoded-word: 42 bytes are 56 base64 characters, 68 in the `=?UTF-8?B?…?=`
 * frame, so even the first word, after "Subject: ", fits RFC 5322's 78-character line.
 */
const WORD_BYTES = 42;
const encoder = new TextEncoder();

/** Display names lose control and bidi characters (input refuses them; this is defence in depth). */
const mailbox = (address: EmailAddress): MailboxAddrObject => {
  const name = address.name ? stripUnsafeText(address.name) : "";
  return name ? { addr: address.email, name } : { addr: address.email };
};

/** RFC 2045 base64 lines (76 characters): mimetext writes data as given, and SES refuses any line over 1,000. */
function base64Lines(base64: string): string {
  return base64.match(/.{1,76}/g)?.join(CRLF) ?? "";
}

/**
 * Text as RFC 2047 encoded-words of whole characters, each within the 75-character word limit.
 * mimetext would write a single encoded-word however long the text is, and a 998-character
 * subject would then break both that limit and SES's 1,000-character line limit.
 *
 * @example
 * ```ts
 * encodedWords("Équipe") // ["=?UTF-8?B?w4lxdWlwZQ==?="]
 * ```
 */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let bytes = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > WORD_BYTES) {
      words.push(word);
      word = "";
      bytes = 0;
    }
    word += char;
    bytes += size;
  }
  if (word) words.push(word);
  return words.map((w) => `=?UTF-8?B?${utf8ToBase64(w)}?=`);
}

/**
 * A MIME parameter: quoted when it is printable ASCII, RFC 2231 UTF-8 otherwise. mimetext quotes
 * filenames as they are, which breaks on a `"` and leaves non-ASCII names undecodable.
 */
function parameter(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  const encoded = encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${name}*=UTF-8''${encoded}`;
}

/**
 * Builds the raw RFC 5322 / MIME message for providers that take MIME (SES raw content): From,
 * To, Cc, Reply-To (every address, which mimetext's single-mailbox Reply-To cannot hold), a
 * UTF-8 subject, text and HTML as alternatives, attachments, a Message-ID derived from the
 * delivery id (so a retried send carries the same id and receivers can drop the duplicate) and
 * `X-Notify-Delivery-Id`, then the message's extra headers (List-Unsubscribe, …). Bcc is never written: it travels only in the provider's envelope.
 * Every body and attachment is base64 in 76-character lines, so the message is 7-bit clean.
 *
 * @example
 * ```ts
 * const raw = buildMime({ deliveryId: "dlv_1", from: { email: "noreply@example.gov", name: "Notify" },
 *   replyTo: [], to: ["ada@example.com"], cc: [], bcc: [], subject: "Hello", text: "Hi Ada", attachments: [] });
 * // "Date: …\r\nFrom: =?utf-8?B?Tm90aWZ5?= <noreply@example.gov>\r\nTo: <ada@example.com>\r\n…"
 * ```
 */
export function buildMime(input: EmailMessage): string {
  const message = withAsciiAddresses(input);
  const msg = createMimeMessage();
  msg.setSender(mailbox(message.from));
  if (message.to.length > 0) msg.setTo(message.to);
  if (message.cc.length > 0) msg.setCc(message.cc);
  if (message.replyTo.length > 0) {
    const replyTo = message.replyTo.map((address) => new Mailbox(mailbox(address)));
    msg.headers.setCustom({ name: "Reply-To", value: msg.headers.dumpMailboxMulti(replyTo) });
  }
  msg.setSubject(message.subject);
  msg.headers.fields.find((field) => field.name === "Subject")!.dump = (value) => encodedWords(String(value)).join(`${CRLF} `);
  msg.setHeader("Message-ID", `<${message.deliveryId}@${message.from.email.slice(message.from.email.lastIndexOf("@") + 1)}>`);
  msg.setHeader("X-Notify-Delivery-Id", message.deliveryId);
  for (const [name, value] of safeHeaders(message)) msg.setHeader(name, value);

  if (message.text !== undefined) msg.addMessage({ contentType: "text/plain", encoding: "base64", data: base64Lines(utf8ToBase64(message.text)) });
  if (message.html !== undefined) msg.addMessage({ contentType: "text/html", encoding: "base64", data: base64Lines(utf8ToBase64(message.html)) });
  for (const attachment of message.attachments) {
    const part = msg.addAttachment({ filename: attachment.filename, contentType: attachment.contentType, data: base64Lines(bytesToBase64(attachment.content)) });
    part.setHeader("Content-Type", `${attachment.contentType}; ${parameter("name", attachment.filename)}`);
    part.setHeader("Content-Disposition", `attachment; ${parameter("filename", attachment.filename)}`);
  }
  return msg.asRaw();
}
