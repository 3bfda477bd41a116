import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailAddress, EmailMessage, EmailProvider, SendOutcome } from "../types";
import { withAsciiAddresses } from "./address";
import { headerObject } from "./headers";

export interface SendGridConfig {
  apiKey: string;
  /** Default https://api.sendgrid.com (https://api.eu.sendgrid.com for EU subusers). */
  baseUrl?: string;
}

/** SendGrid's error document: one entry per refused field. */
interface SendGridErrors {
  errors: { message?: string; field?: string | null; help?: unknown }[];
}

const address = (a: EmailAddress) => (a.name ? { email: a.email, name: a.name } : { email: a.email });
const list = (emails: string[]) => emails.map((email) => ({ email }));

/**
 * SendGrid v3 Mail Send: one personalization carries to, cc and bcc, so the message is one email
 * as the tenant wrote it. SendGrid answers 202 with an empty body and the id in `X-Message-Id`.
 */
export class SendGridEmailProvider implements EmailProvider {
  readonly name = "sendgrid";
  constructor(private readonly config: SendGridConfig) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const message = withAsciiAddresses(input);
    const body = {
      personalizations: [
        {
          to: list(message.to),
          ...(message.cc.length ? { cc: list(message.cc) } : {}),
          ...(message.bcc.length ? { bcc: list(message.bcc) } : {}),
        },
      ],
      from: address(message.from),
      // reply_to and reply_to_list are mutually exclusive: SendGrid rejects a request carrying both.
      ...(message.replyTo.length === 1 ? { reply_to: address(message.replyTo[0]!) } : {}),
      ...(message.replyTo.length > 1 ? { reply_to_list: message.replyTo.map(address) } : {}),
      subject: message.subject,
      // SendGrid requires text/plain first when both are present.
      content: [
        ...(message.text !== undefined ? [{ type: "text/plain", value: message.text }] : []),
        ...(message.html !== undefined ? [{ type: "text/html", value: message.html }] : []),
      ],
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
      // SendGrid's `headers`: custom fields, List-Unsubscribe included (one-click unsubscribe).
      headers: headerObject(message),
    };
    const base = (this.config.baseUrl ?? "https://api.sendgrid.com").replace(/\/+$/, "");
    const res = await providerFetch(this.name, `${base}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.config.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) return { providerMessageId: res.headers.get("x-message-id") ?? undefined, status: "delivered" };
    const data = await errorBody<SendGridErrors>(res);
    const detail = data.errors?.map((e) => (e.field ? `${e.message} (${e.field})` : e.message)).join("; ");
    throw httpFailure(this.name, res, { message: detail || data.text });
  }
}
