// No batch sending (BatchEmailProvider) for Mailgun, although its Messages API has a batch form
// (up to 1,000 `to` addresses, one email each, personalised from `recipient-variables`). It
// does not fit fully rendered mail-merge messages:
// - Recipient variables are keyed by address, so two rows for the same person (which a merge
//   may have) cannot share a call: one row's content would silently replace the other's.
// - Mailgun documents `%recipient.…%` substitution in the subject and the bodies only, not in
//   `h:` header fields; every message needs its own X-Notify-Delivery-Id and its own
//   List-Unsubscribe (one-click unsubscribe token), which the batch form could then not carry.
// - cc and bcc go to every recipient of the batch, and a message with several `to` addresses
//   would become one email per address instead of one email to all of them.
// - The call answers one id for all recipients, so a message's own outcome could not be told.
// Mail merges through Mailgun therefore go out one message per call (send).

import { formatMailbox } from "../../lib/mailbox";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailMessage, EmailProvider, SendOutcome } from "../types";
import { withAsciiAddresses } from "./address";
import { safeHeaders } from "./headers";

export interface MailgunConfig {
  apiKey: string;
  /** The sending domain, as set up in Mailgun. */
  domain: string;
  /** https://api.mailgun.net (US, default) or https://api.eu.mailgun.net (EU). */
  baseUrl?: string;
}

/**
 * Mailgun Messages API: multipart/form-data with one field per recipient, headers as `h:` fields
 * and attachments as files; HTTP Basic with the user `api`. Answers 200 with `{id, message}`.
 */
export class MailgunEmailProvider implements EmailProvider {
  readonly name = "mailgun";
  constructor(private readonly config: MailgunConfig) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const message = withAsciiAddresses(input);
    const form = new FormData();
    form.append("from", formatMailbox(message.from));
    for (const to of message.to) form.append("to", to);
    for (const cc of message.cc) form.append("cc", cc);
    for (const bcc of message.bcc) form.append("bcc", bcc);
    form.append("subject", message.subject);
    if (message.text !== undefined) form.append("text", message.text);
    if (message.html !== undefined) form.append("html", message.html);
    if (message.replyTo.length) form.append("h:Reply-To", message.replyTo.map(formatMailbox).join(", "));
    form.append("h:X-Notify-Delivery-Id", message.deliveryId);
    for (const [name, value] of safeHeaders(message)) form.append(`h:${name}`, value);
    for (const a of message.attachments) form.append("attachment", new File([a.content], a.filename, { type: a.contentType }));

    const base = (this.config.baseUrl ?? "https://api.mailgun.net").replace(/\/+$/, "");
    const res = await providerFetch(this.name, `${base}/v3/${encodeURIComponent(this.config.domain)}/messages`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`api:${this.config.apiKey}`)}`, accept: "application/json" },
      body: form,
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { id?: string };
      return { providerMessageId: data.id, status: "delivered" };
    }
    const data = await errorBody<{ message: string }>(res);
    // Mailgun answers 404 for a sending domain it does not know: our configuration, not the message.
    throw httpFailure(this.name, res, { message: data.message ?? data.text, ...(res.status === 404 ? { kind: "configuration" as const } : {}) });
  }
}
