import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailAddress, EmailMessage, EmailProvider, SendOutcome } from "../types";

export interface MailgunConfig {
  apiKey: string;
  domain: string;
  /** https://api.mailgun.net (US, default) or https://api.eu.mailgun.net (EU). */
  baseUrl?: string;
}

const mailbox = (a: EmailAddress) => (a.name ? `${JSON.stringify(a.name)} <${a.email}>` : a.email);

/** Mailgun Messages API: multipart form, one field per recipient, attachments as files. */
export class MailgunEmailProvider implements EmailProvider {
  readonly name = "mailgun";
  constructor(private readonly config: MailgunConfig) {}

  async send(message: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const form = new FormData();
    form.append("from", mailbox(message.from));
    for (const to of message.to) form.append("to", to);
    for (const cc of message.cc) form.append("cc", cc);
    for (const bcc of message.bcc) form.append("bcc", bcc);
    form.append("subject", message.subject);
    if (message.text !== undefined) form.append("text", message.text);
    if (message.html !== undefined) form.append("html", message.html);
    if (message.replyTo.length) form.append("h:Reply-To", message.replyTo.map(mailbox).join(", "));
    form.append("v:delivery-id", message.deliveryId);
    for (const a of message.attachments) form.append("attachment", new File([a.content], a.filename, { type: a.contentType }));
    const base = this.config.baseUrl ?? "https://api.mailgun.net";
    const res = await providerFetch(this.name, `${base}/v3/${encodeURIComponent(this.config.domain)}/messages`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`api:${this.config.apiKey}`)}` },
      body: form,
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { id?: string };
      return { providerMessageId: data.id, status: "delivered" };
    }
    const data = await errorBody<{ message: string }>(res);
    // Mailgun answers 404 for an unknown sending domain: that is our configuration, not the message.
    throw httpFailure(this.name, res, { message: data.message ?? data.text, ...(res.status === 404 ? { kind: "configuration" } : {}) });
  }
}
