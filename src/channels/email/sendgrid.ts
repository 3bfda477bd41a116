import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import { type BatchEmailProvider, type BatchItemResult, type EmailAddress, type EmailMessage, ProviderError, type SendOutcome } from "../types";
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

/** Most personalizations (so messages) one Mail Send call may carry: SendGrid's documented bound. */
const BATCH_SIZE = 1000;

/**
 * SendGrid's bound on a personalization's substitutions (its API reference says 10,000 bytes;
 * the substitution-tag guide says 50,000: the smaller one holds either way).
 */
const SUBSTITUTION_BYTES = 10_000;

/**
 * The substitution tags a batch's shared content is made of. Unusual on purpose: SendGrid also
 * substitutes tags found in substituted values and in the subject, so a message containing
 * either tag is kept out of batches (batchKey).
 */
const HTML_TAG = "-notify-html-body-";
const TEXT_TAG = "-notify-text-body-";

const encoder = new TextEncoder();

/** A message's rendered bodies as substitutions for the batch's content tags. */
function substitutions(message: EmailMessage): Record<string, string> {
  return {
    ...(message.text !== undefined ? { [TEXT_TAG]: message.text } : {}),
    ...(message.html !== undefined ? { [HTML_TAG]: message.html } : {}),
  };
}

/** The sender and reply-to fields of a Mail Send body. */
function senderFields(message: EmailMessage): Record<string, unknown> {
  return {
    from: address(message.from),
    // reply_to and reply_to_list are mutually exclusive: SendGrid rejects a request carrying both.
    ...(message.replyTo.length === 1 ? { reply_to: address(message.replyTo[0]!) } : {}),
    ...(message.replyTo.length > 1 ? { reply_to_list: message.replyTo.map(address) } : {}),
  };
}

/**
 * SendGrid v3 Mail Send: one personalization carries to, cc and bcc, so the message is one email
 * as the tenant wrote it. SendGrid answers 202 with an empty body and the id in `X-Message-Id`.
 *
 * Mail merges (sendBatch) use the same endpoint with one personalization per message: its
 * recipient, subject and headers, and its whole rendered body as substitutions for the tags
 * that make up the shared content. Each message is still rendered only by us; SendGrid merely
 * pastes it in.
 */
export class SendGridEmailProvider implements BatchEmailProvider {
  readonly name = "sendgrid";
  readonly maxBatchSize = BATCH_SIZE;
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
      ...senderFields(message),
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
    const res = await this.post(body, signal);
    if (res.ok) return { providerMessageId: res.headers.get("x-message-id") ?? undefined, status: "delivered" };
    throw await this.failure(res);
  }

  /**
   * Messages share a batch when they share what a Mail Send body holds once: sender, reply-to
   * and the content's parts (text, html). Null, so the message is sent on its own, when the
   * batch form cannot carry it exactly:
   * - attachments (one set per call, for every personalization);
   * - anything but a single `to` address: SendGrid allows 1,000 recipients per call across all
   *   personalizations, so only one recipient per message lets 1,000 messages share a call;
   * - bodies over SUBSTITUTION_BYTES, SendGrid's bound on a personalization's substitutions;
   * - a subject, body or header containing one of the content tags, which SendGrid would
   *   substitute again.
   *
   * @example
   * ```ts
   * sendgrid.batchKey({ ...message, to: ["ada@example.com"], cc: [], bcc: [], attachments: [] })
   * // '[{"email":"noreply@example.gov","name":"Notify"},[],true,true]'
   * sendgrid.batchKey({ ...message, cc: ["boss@example.com"] }) // null
   * ```
   */
  batchKey(input: EmailMessage): string | null {
    if (input.attachments.length > 0 || input.to.length !== 1 || input.cc.length > 0 || input.bcc.length > 0) return null;
    const message = withAsciiAddresses(input);
    if (encoder.encode(JSON.stringify(substitutions(message))).length > SUBSTITUTION_BYTES) return null;
    const texts = [message.subject, message.text ?? "", message.html ?? "", ...Object.values(headerObject(message))];
    if (texts.some((t) => t.includes(HTML_TAG) || t.includes(TEXT_TAG))) return null;
    return JSON.stringify([address(message.from), message.replyTo.map(address), message.html !== undefined, message.text !== undefined]);
  }

  /**
   * One Mail Send call per batch: content is the tags (text/plain first), each personalization
   * carries its message's recipient, subject, headers (X-Notify-Delivery-Id, List-Unsubscribe …)
   * and bodies as substitutions; sender and reply-to come from the first message (all share
   * them: same batchKey). SendGrid answers 202 with one X-Message-Id for the call, recorded for
   * every message.
   *
   * SendGrid refuses a call in which an address appears twice, and a mail merge may well have
   * two rows for one person: such a batch goes out as several calls, each address once per
   * call. A call that fails then concerns its own messages only (reported per message), as
   * the others may already be sent; a batch of one call throws its failure as usual.
   */
  async sendBatch(inputs: EmailMessage[], signal?: AbortSignal): Promise<BatchItemResult[]> {
    const messages = inputs.map(withAsciiAddresses);
    // Round n holds each address's n-th message.
    const rounds: number[][] = [];
    const seen = new Map<string, number>();
    messages.forEach((message, index) => {
      const address = message.to[0]!.toLowerCase();
      const round = seen.get(address) ?? 0;
      seen.set(address, round + 1);
      (rounds[round] ??= []).push(index);
    });
    const results: BatchItemResult[] = new Array(messages.length);
    for (const round of rounds) {
      const outcome = await this.sendRound(round.map((i) => messages[i]!), signal).catch((err: unknown) => {
        if (rounds.length === 1 || !(err instanceof ProviderError)) throw err;
        return err;
      });
      for (const i of round) results[i] = outcome instanceof ProviderError ? { ok: false, error: outcome } : { ok: true, outcome };
    }
    return results;
  }

  /** One Mail Send call for messages with distinct addresses; the outcome every one of them shares. */
  private async sendRound(messages: EmailMessage[], signal?: AbortSignal): Promise<SendOutcome> {
    const first = messages[0]!;
    const body = {
      personalizations: messages.map((message) => ({
        to: list(message.to),
        subject: message.subject,
        headers: headerObject(message),
        substitutions: substitutions(message),
      })),
      ...senderFields(first),
      content: [
        ...(first.text !== undefined ? [{ type: "text/plain", value: TEXT_TAG }] : []),
        ...(first.html !== undefined ? [{ type: "text/html", value: HTML_TAG }] : []),
      ],
    };
    const res = await this.post(body, signal);
    if (res.ok) return { providerMessageId: res.headers.get("x-message-id") ?? undefined, status: "delivered" };
    throw await this.failure(res);
  }

  private post(body: unknown, signal?: AbortSignal): Promise<Response> {
    const base = (this.config.baseUrl ?? "https://api.sendgrid.com").replace(/\/+$/, "");
    return providerFetch(this.name, `${base}/v3/mail/send`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.config.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
  }

  /** The error for a non-2xx answer. */
  private async failure(res: Response): Promise<ProviderError> {
    const data = await errorBody<SendGridErrors>(res);
    const detail = data.errors?.map((e) => (e.field ? `${e.message} (${e.field})` : e.message)).join("; ");
    return httpFailure(this.name, res, { message: detail || data.text });
  }
}
