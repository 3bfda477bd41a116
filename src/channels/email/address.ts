import type { EmailAddress, EmailMessage } from "../types";

/**
 * The address with its domain in IDNA ASCII (punycode) form. Recipient validation keeps an
 * internationalised domain in Unicode, but SES documents that domains must be punycode (it has
 * no SMTPUTF8), Postmark's address check is ASCII-only, and raw 8-bit bytes are not allowed in
 * MIME headers; the ASCII form is the same mailbox and is accepted everywhere.
 *
 * @example
 * ```ts
 * asciiEmail("ann@bücher.example") // "ann@xn--bcher-kva.example"
 * asciiEmail("ann@example.com")    // "ann@example.com"
 * ```
 */
export function asciiEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const domain = email.slice(at + 1);
  // Validated addresses only reach here, so the URL parser always accepts the domain as a host.
  if (at < 0 || /^[\x00-\x7f]*$/.test(domain)) return email;
  return `${email.slice(0, at)}@${new URL(`http://${domain}/`).hostname}`;
}

const asciiMailbox = (mailbox: EmailAddress): EmailAddress => ({ ...mailbox, email: asciiEmail(mailbox.email) });

/**
 * The same message with every address (sender, reply-to and recipients) in ASCII form; what
 * every adapter puts on the wire.
 *
 * @example
 * ```ts
 * withAsciiAddresses({ ...message, to: ["ann@bücher.example"] }).to // ["ann@xn--bcher-kva.example"]
 * ```
 */
export function withAsciiAddresses(message: EmailMessage): EmailMessage {
  return {
    ...message,
    from: asciiMailbox(message.from),
    replyTo: message.replyTo.map(asciiMailbox),
    to: message.to.map(asciiEmail),
    cc: message.cc.map(asciiEmail),
    bcc: message.bcc.map(asciiEmail),
  };
}
