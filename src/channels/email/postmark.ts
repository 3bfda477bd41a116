import { formatMailbox } from "../../lib/mailbox";
import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import { type BatchEmailProvider, type BatchItemResult, type EmailMessage, ProviderError, type ProviderErrorKind, type SendOutcome } from "../types";
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

/** Most messages one POST /email/batch may carry (Postmark's documented bound). */
const BATCH_SIZE = 500;

/**
 * Postmark bounds a batch call at 50 MB. A message travels in a batch only when its JSON is at
 * most a 500th of that, so a full batch always fits; a bigger one is sent on its own through
 * POST /email (10 MB).
 */
const BATCH_MESSAGE_BYTES = 100_000;

const encoder = new TextEncoder();

/** Kind of a refusal with this ErrorCode: listed codes have their own, every other is a refusal of the message. */
function kindForCode(code: number): ProviderErrorKind {
  return Object.hasOwn(KIND_BY_CODE, code) ? KIND_BY_CODE[code]! : "permanent";
}

/**
 * Postmark email API: POST /email for one message, POST /email/batch for up to 500 (mail
 * merges); both take the same message object, with addresses as comma-separated strings.
 */
export class PostmarkEmailProvider implements BatchEmailProvider {
  readonly name = "postmark";
  readonly maxBatchSize = BATCH_SIZE;
  constructor(private readonly config: PostmarkConfig) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const res = await this.post("/email", JSON.stringify(this.body(withAsciiAddresses(input))), signal);
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as Partial<PostmarkAnswer>;
      return { providerMessageId: data.MessageID, status: "delivered" };
    }
    throw await this.failure(res);
  }

  /**
   * Every message batches (each carries its own sender and recipients), except those with
   * attachments, which keeps the 50 MB bound of a call easy to honour: they go through
   * POST /email. So do messages too big for a 500th of that bound.
   *
   * @example
   * ```ts
   * postmark.batchKey({ ...message, attachments: [] }) // "postmark"
   * postmark.batchKey(messageWithAttachment)          // null
   * ```
   */
  batchKey(message: EmailMessage): string | null {
    if (message.attachments.length > 0) return null;
    const bytes = encoder.encode(JSON.stringify(this.body(withAsciiAddresses(message)))).length;
    return bytes <= BATCH_MESSAGE_BYTES ? this.name : null;
  }

  /**
   * POST /email/batch. Postmark answers 200 even when some messages were refused, with one
   * result per message in request order: ErrorCode 0 and a MessageID, or the code and reason of
   * that message's refusal (mapped like a refusal of POST /email, permanent unless listed).
   */
  async sendBatch(messages: EmailMessage[], signal?: AbortSignal): Promise<BatchItemResult[]> {
    const res = await this.post("/email/batch", JSON.stringify(messages.map((m) => this.body(withAsciiAddresses(m)))), signal);
    if (!res.ok) throw await this.failure(res);
    const data = (await res.json().catch(() => undefined)) as Partial<PostmarkAnswer>[] | undefined;
    // The call was accepted: without one result per message we cannot say which were sent.
    if (!Array.isArray(data) || data.length !== messages.length) {
      throw new ProviderError(this.name, "unknown", `${this.name}: the batch answer does not list every message; they may have been sent`, { httpStatus: res.status });
    }
    return data.map((item): BatchItemResult => {
      const code = typeof item.ErrorCode === "number" ? item.ErrorCode : 0;
      if (code === 0) return { ok: true, outcome: { providerMessageId: item.MessageID, status: "delivered" } };
      return {
        ok: false,
        error: new ProviderError(this.name, kindForCode(code), `${this.name}: ${item.Message || `error code ${code}`}`, { providerCode: String(code) }),
      };
    });
  }

  /** The message object both endpoints take. */
  private body(message: EmailMessage): Record<string, unknown> {
    return {
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
  }

  private post(path: string, body: string, signal?: AbortSignal): Promise<Response> {
    const base = (this.config.baseUrl ?? "https://api.postmarkapp.com").replace(/\/+$/, "");
    return providerFetch(this.name, `${base}${path}`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", "x-postmark-server-token": this.config.serverToken },
      body,
      signal,
    });
  }

  /** The error for a non-2xx answer of either endpoint. */
  private async failure(res: Response): Promise<ProviderError> {
    const data = await errorBody<PostmarkAnswer>(res);
    const code = typeof data.ErrorCode === "number" ? data.ErrorCode : undefined;
    return httpFailure(this.name, res, {
      message: data.Message ?? data.text,
      code: code !== undefined ? String(code) : undefined,
      // A server error stays retryable whatever code came with it.
      kind: res.status < 500 && code !== undefined && Object.hasOwn(KIND_BY_CODE, code) ? KIND_BY_CODE[code] : undefined,
    });
  }
}
