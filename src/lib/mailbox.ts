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

export function formatMailbox(mailbox: { name?: string; email: string }): string {
  if (!mailbox.name) return mailbox.email;
  const needsQuotes = /[",;:<>@()[\]\\]/.test(mailbox.name);
  return `${needsQuotes ? `"${mailbox.name.replaceAll(/["\\]/g, "\\$&")}"` : mailbox.name} <${mailbox.email}>`;
}
