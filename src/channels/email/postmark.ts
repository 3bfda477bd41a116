import { formatMailbox } from "../../lib/mailbox";
import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailMessage, EmailProvider, ProviderErrorKind, SendOutcome } from "../types";
import { withAsciiAddresses } from "./address";
import { headerObject } from "./headers";

export interface PostmarkConfig {
  serverToken: string;
  /** Default "outbound", the transactional stream every Postmark server has. */
  messageStream?: string;
  /** Default https://api.postmarkapp.com. */
  baseUrl?: string;
}

/** Postmark's answer, for success (ErrorCode 0) and failure alike. */
interface PostmarkAnswer {
  ErrorCode: number;
  Message: string;
  MessageID: string;
}

/**
 * Postmark API error codes whose kind differs from what the HTTP status says: Postmark answers
 * every refusal with 422 and puts the reason in `ErrorCode`. Codes not listed here (300 invalid
 * email request, 406 inactive recipient, 411 forbidden attachment type, …) are refusals of this
 * message, permanent like the 422 says.
 */
const KIND_BY_CODE: Record<number, ProviderErrorKind> = {
  // Our server, sender or account: every message would fail the same way.
  10: "configuration", // bad or missing server token
  400: "configuration", // sender signature not found
  401: "configuration", // sender signature not confirmed
  405: "configuration", // not allowed to send (account out of credits)
  412: "configuration", // account pending approval
  413: "configuration", // account may not send
  // Busy, not refused.
  100: "retryable", // maintenance
  429: "retryable", // rate limit exceeded
};

/** Postmark single-email API (POST /email); addresses are comma-separated strings. */
export class PostmarkEmailProvider implements EmailProvider {
  readonly name = "postmark";
  constructor(private readonly config: PostmarkConfig) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const message = withAsciiAddresses(input);
    const body = {
      From: formatMailbox(message.from),
      To: message.to.join(","),
      ...(message.cc.length ? { Cc: message.cc.join(",") } : {}),
      ...(message.bcc.length ? { Bcc: message.bcc.join(",") } : {}),
      Subject: message.subject,
      ...(message.text !== undefined ? { TextBody: message.text } : {}),
      ...(message.html !== undefined ? { HtmlBody: message.html } : {}),
      ...(message.replyTo.length ? { ReplyTo: message.replyTo.map(formatMailbox).join(",") } : {}),
      Headers: Object.entries(headerObject(message)).map(([Name, Value]) => ({ Name, Value })),
      MessageStream: this.config.messageStream ?? "outbound",
      ...(message.attachments.length
        ? { Attachments: message.attachments.map((a) => ({ Name: a.filename, Content: bytesToBase64(a.content), ContentType: a.contentType })) }
        : {}),
    };
    const base = (this.config.baseUrl ?? "https://api.postmarkapp.com").replace(/\/+$/, "");
    const res = await providerFetch(this.name, `${base}/email`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", "x-postmark-server-token": this.config.serverToken },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as Partial<PostmarkAnswer>;
      return { providerMessageId: data.MessageID, status: "delivered" };
    }
    const data = await errorBody<PostmarkAnswer>(res);
    const code = typeof data.ErrorCode === "number" ? data.ErrorCode : undefined;
    throw httpFailure(this.name, res, {
      message: data.Message ?? data.text,
      code: code !== undefined ? String(code) : undefined,
      // A server error stays retryable whatever code came with it.
      kind: res.status < 500 && code !== undefined && Object.hasOwn(KIND_BY_CODE, code) ? KIND_BY_CODE[code] : undefined,
    });
  }
}
