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
