import PostalMime, { type Address, decodeWords } from "postal-mime";
import type { AttachmentContent } from "../store";

/** What the inbox shows of a raw RFC 5322 message. */
export interface ParsedEmail {
  from?: string;
  to: string[];
  cc: string[];
  replyTo: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Lowercase name → decoded value; a repeated header's values are joined by newlines. */
  headers: Record<string, string>;
  attachments: AttachmentContent[];
}

/**
 * Formats parsed addresses as a mail client shows them, groups flattened.
 *
 * @example
 * ```ts
 * formatAddresses([{ name: "Ada", address: "ada@example.com" }, { name: "", address: "b@example.com" }])
 * // ["Ada <ada@example.com>", "b@example.com"]
 * ```
 */
export function formatAddresses(addresses: Address[] | undefined): string[] {
  return (addresses ?? [])
    .flatMap((a) => a.group ?? [a])
    .filter((m) => m.address)
    .map((m) => (m.name ? `${m.name} <${m.address}>` : m.address!));
}

/**
 * Parses a raw MIME message with postal-mime. Bcc is not in the result: a well-formed message
 * does not carry it, the sending envelope does.
 */
export async function parseRawEmail(raw: Uint8Array): Promise<ParsedEmail> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  const headers: Record<string, string> = {};
  for (const header of email.headers) {
    // Encoded words (RFC 2047) decoded, so a UTF-8 subject reads as text in the header table.
    const value = decodeWords(header.value);
    headers[header.key] = header.key in headers ? `${headers[header.key]}\n${value}` : value;
  }
  return {
    from: formatAddresses(email.from ? [email.from] : undefined)[0],
    to: formatAddresses(email.to),
    cc: formatAddresses(email.cc),
    replyTo: formatAddresses(email.replyTo),
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers,
    attachments: email.attachments.map((a, index) => ({
      filename: a.filename ?? `attachment-${index + 1}`,
      contentType: a.mimeType,
      // An ArrayBuffer: that is the attachment encoding asked for above.
      content: new Uint8Array(a.content as ArrayBuffer),
    })),
  };
}
