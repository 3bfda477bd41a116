import { formatMailbox } from "../../lib/mailbox";
import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailMessage, EmailProvider, SendOutcome } from "../types";
import { withAsciiAddresses } from "./address";
import { headerObject } from "./headers";

export interface ResendConfig {
  apiKey: string;
  /** Default https://api.resend.com. */
  baseUrl?: string;
}

/** Resend's error document; `name` is the documented error type (validation_error, …). */
interface ResendError {
  statusCode: number;
  name: string;
  message: string;
}

/**
 * Resend (POST /emails). Our delivery id is the Idempotency-Key, so a retry after a timeout
 * (when we cannot know whether the first call landed) can never produce a second email: Resend
 * answers a repeated key with the first call's answer for 24 hours.
 */
export class ResendEmailProvider implements EmailProvider {
  readonly name = "resend";
  constructor(private readonly config: ResendConfig) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const message = withAsciiAddresses(input);
    const body = {
      from: formatMailbox(message.from),
      to: message.to,
      ...(message.cc.length ? { cc: message.cc } : {}),
      ...(message.bcc.length ? { bcc: message.bcc } : {}),
      ...(message.replyTo.length ? { reply_to: message.replyTo.map(formatMailbox) } : {}),
      subject: message.subject,
      ...(message.html !== undefined ? { html: message.html } : {}),
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.attachments.length
        ? { attachments: message.attachments.map((a) => ({ filename: a.filename, content: bytesToBase64(a.content), content_type: a.contentType })) }
        : {}),
      headers: headerObject(message),
    };
    const base = (this.config.baseUrl ?? "https://api.resend.com").replace(/\/+$/, "");
    const res = await providerFetch(this.name, `${base}/emails`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.config.apiKey}`, "content-type": "application/json", "idempotency-key": message.deliveryId },
      body: JSON.stringify(body),
      signal,
    }, { idempotent: true });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { id?: string };
      return { providerMessageId: data.id, status: "delivered" };
    }
    const data = await errorBody<ResendError>(res);
    throw httpFailure(this.name, res, {
      message: data.message ?? data.text,
      code: data.name,
      // The first call with this key is still being processed: ask again later, and get its answer.
      ...(data.name === "concurrent_idempotent_requests" ? { kind: "retryable" as const } : {}),
    });
  }
}
