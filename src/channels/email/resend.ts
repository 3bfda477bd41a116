import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailAddress, EmailMessage, EmailProvider, SendOutcome } from "../types";

export interface ResendConfig {
  apiKey: string;
  baseUrl?: string;
}

const mailbox = (a: EmailAddress) => (a.name ? `${a.name} <${a.email}>` : a.email);

/**
 * Resend. Our delivery id is the Idempotency-Key, so a retry after a timeout (when we cannot know
 * whether the first call landed) can never produce a second email.
 */
export class ResendEmailProvider implements EmailProvider {
  readonly name = "resend";
  constructor(private readonly config: ResendConfig) {}

  async send(message: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const body = {
      from: mailbox(message.from),
      to: message.to,
      ...(message.cc.length ? { cc: message.cc } : {}),
      ...(message.bcc.length ? { bcc: message.bcc } : {}),
      ...(message.replyTo.length ? { reply_to: message.replyTo.map(mailbox) } : {}),
      subject: message.subject,
      ...(message.html !== undefined ? { html: message.html } : {}),
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.attachments.length
        ? { attachments: message.attachments.map((a) => ({ filename: a.filename, content: bytesToBase64(a.content), content_type: a.contentType })) }
        : {}),
    };
    const res = await providerFetch(this.name, `${this.config.baseUrl ?? "https://api.resend.com"}/emails`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.config.apiKey}`, "content-type": "application/json", "idempotency-key": message.deliveryId },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { id?: string };
      return { providerMessageId: data.id, status: "delivered" };
    }
    const data = await errorBody<{ name: string; message: string }>(res);
    throw httpFailure(this.name, res, { message: data.message ?? data.text, code: data.name });
  }
}
