import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailAddress, EmailMessage, EmailProvider, SendOutcome } from "../types";

export interface SendGridConfig {
  apiKey: string;
  baseUrl?: string;
}

const address = (a: EmailAddress) => (a.name ? { email: a.email, name: a.name } : { email: a.email });
const list = (emails: string[]) => emails.map((email) => ({ email }));

/** SendGrid v3 Mail Send: one personalization carries to, cc and bcc. */
export class SendGridEmailProvider implements EmailProvider {
  readonly name = "sendgrid";
  constructor(private readonly config: SendGridConfig) {}

  async send(message: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const content = [
      ...(message.text !== undefined ? [{ type: "text/plain", value: message.text }] : []),
      ...(message.html !== undefined ? [{ type: "text/html", value: message.html }] : []),
    ];
    const body = {
      personalizations: [
        {
          to: list(message.to),
          ...(message.cc.length ? { cc: list(message.cc) } : {}),
          ...(message.bcc.length ? { bcc: list(message.bcc) } : {}),
        },
      ],
      from: address(message.from),
      ...(message.replyTo.length ? { reply_to_list: message.replyTo.map(address) } : {}),
      subject: message.subject,
      content,
      ...(message.attachments.length
        ? {
            attachments: message.attachments.map((a) => ({
              content: bytesToBase64(a.content),
              type: a.contentType,
              filename: a.filename,
              disposition: "attachment",
            })),
          }
        : {}),
      custom_args: { delivery_id: message.deliveryId },
    };
    const res = await providerFetch(this.name, `${this.config.baseUrl ?? "https://api.sendgrid.com"}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.config.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) return { providerMessageId: res.headers.get("x-message-id") ?? undefined, status: "delivered" };
    const data = await errorBody<{ errors: { message?: string; field?: string | null }[] }>(res);
    const first = data.errors?.[0];
    throw httpFailure(this.name, res, { message: first ? `${first.message}${first.field ? ` (${first.field})` : ""}` : data.text });
  }
}
