import { stripUnsafeText } from "./display-name";

/**
 * Splits an RFC 5322 mailbox as people write it in configuration: `addr@example.com`,
 * `Name <addr@example.com>` or `"Name, Inc." <addr@example.com>`. The address itself is
 * validated elsewhere (services/recipients/email.ts).
 *
 * @example
 * ```ts
 * parseMailbox('Funding Programs <funding@example.gov>') // { name: "Funding Programs", email: "funding@example.gov" }
 * ```
 */
export function parseMailbox(value: string): { name?: string; email: string } {
  const trimmed = value.trim();
  const match = /^(.*)<([^<>]+)>$/.exec(trimmed);
  if (!match) return { email: trimmed };
  const name = match[1]!.trim().replace(/^"(.*)"$/, "$1").trim();
  return name ? { name, email: match[2]!.trim() } : { email: match[2]!.trim() };
}

/**
 * The mailbox as a header value. Input validation refuses control and bidi characters in names;
 * they are stripped here too, so a stored value that predates that rule still cannot reach a
 * provider's From header.
 *
 * @example
 * ```ts
 * formatMailbox({ name: "Funding, Inc.", email: "f@example.gov" }) // '"Funding, Inc." <f@example.gov>'
 * ```
 */
export function formatMailbox(mailbox: { name?: string; email: string }): string {
  const name = mailbox.name ? stripUnsafeText(mailbox.name) : "";
  if (!name) return mailbox.email;
  const needsQuotes = /[",;:<>@()[\]\\]/.test(name);
  return `${needsQuotes ? `"${name.replaceAll(/["\\]/g, "\\$&")}"` : name} <${mailbox.email}>`;
}
