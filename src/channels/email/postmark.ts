import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailAddress, EmailMessage, EmailProvider, ProviderErrorKind, SendOutcome } from "../types";

export interface PostmarkConfig {
  serverToken: string;
  messageStream?: string;
  baseUrl?: string;
}

const mailbox = (a: EmailAddress) => (a.name ? `${JSON.stringify(a.name)} <${a.email}>` : a.email);

/**
 * Postmark's API error codes (answered with HTTP 422) that are about our account or server rather
 * than the message: bad or missing token, unconfirmed sender signature, inactive server or stream.
 */
const CONFIGURATION_CODES = new Set([10, 400, 401, 403, 405, 412, 1235]);

function kindForCode(code: number | undefined): ProviderErrorKind | undefined {
  if (code === undefined) return undefined;
  if (CONFIGURATION_CODES.has(code)) return "configuration";
  return "permanent";
}

/** Postmark single-email API. */
export class PostmarkEmailProvider implements EmailProvider {
  readonly name = "postmark";
  constructor(private readonly config: PostmarkConfig) {}

  async send(message: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const body = {
      From: mailbox(message.from),
      To: message.to.join(","),
      ...(message.cc.length ? { Cc: message.cc.join(",") } : {}),
      ...(message.bcc.length ? { Bcc: message.bcc.join(",") } : {}),
      Subject: message.subject,
      ...(message.text !== undefined ? { TextBody: message.text } : {}),
      ...(message.html !== undefined ? { HtmlBody: message.html } : {}),
      ...(message.replyTo.length ? { ReplyTo: message.replyTo.map(mailbox).join(",") } : {}),
      MessageStream: this.config.messageStream ?? "outbound",
      Metadata: { deliveryId: message.deliveryId },
      ...(message.attachments.length
        ? { Attachments: message.attachments.map((a) => ({ Name: a.filename, Content: bytesToBase64(a.content), ContentType: a.contentType })) }
        : {}),
    };
    const res = await providerFetch(this.name, `${this.config.baseUrl ?? "https://api.postmarkapp.com"}/email`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", "x-postmark-server-token": this.config.serverToken },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { MessageID?: string };
      return { providerMessageId: data.MessageID, status: "delivered" };
    }
    const data = await errorBody<{ ErrorCode: number; Message: string }>(res);
    const kind = res.status === 422 ? kindForCode(data.ErrorCode) : undefined;
    throw httpFailure(this.name, res, { message: data.Message ?? data.text, code: data.ErrorCode !== undefined ? String(data.ErrorCode) : undefined, kind });
  }
}
