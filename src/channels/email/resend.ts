import { formatMailbox } from "../../lib/mailbox";
import { bytesToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import { type BatchEmailProvider, type BatchItemResult, type EmailMessage, ProviderError, type SendOutcome } from "../types";
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

/** Resend's answer to POST /emails/batch; `errors` only in permissive validation mode. */
interface ResendBatchAnswer {
  data: { id?: string }[];
  errors: { index?: number; message?: string }[];
}

/** Most emails one POST /emails/batch may carry (Resend's documented bound). */
const BATCH_SIZE = 100;

const encoder = new TextEncoder();

/**
 * The Idempotency-Key of a batch: derived from its delivery ids in order, so asking again with
 * the same messages gets the first call's answer instead of a second round of emails. Hashed,
 * because Resend takes at most 256 characters and 100 delivery ids are longer; the prefix keeps
 * it apart from a single send's key (the bare delivery id).
 *
 * @example
 * ```ts
 * await batchIdempotencyKey(["dlv_1", "dlv_2"]) // "batch/3f0c…" (64 hex digits)
 * ```
 */
export async function batchIdempotencyKey(deliveryIds: string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(deliveryIds.join("\n")));
  return `batch/${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Resend (POST /emails, and POST /emails/batch for mail merges). Our delivery id is the
 * Idempotency-Key of a single send, so a retry after a timeout (when we cannot know whether the
 * first call landed) can never produce a second email: Resend answers a repeated key with the
 * first call's answer for 24 hours. A batch's key is derived from its delivery ids
 * (batchIdempotencyKey): the same protection holds when the same messages are sent again as the
 * same batch, in the same order.
 */
export class ResendEmailProvider implements BatchEmailProvider {
  readonly name = "resend";
  readonly maxBatchSize = BATCH_SIZE;
  constructor(private readonly config: ResendConfig) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const message = withAsciiAddresses(input);
    const res = await this.post("/emails", JSON.stringify(this.body(message)), { "idempotency-key": message.deliveryId }, signal, true);
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { id?: string };
      return { providerMessageId: data.id, status: "delivered" };
    }
    throw await this.failure(res);
  }

  /**
   * Resend's batch endpoint takes no attachments: a message with one is sent on its own. Every
   * other message may share a batch (each email in it carries its own sender and recipients).
   *
   * @example
   * ```ts
   * resend.batchKey({ ...message, attachments: [] }) // "resend"
   * resend.batchKey(messageWithAttachment)          // null
   * ```
   */
  batchKey(message: EmailMessage): string | null {
    return message.attachments.length > 0 ? null : this.name;
  }

  /**
   * POST /emails/batch in permissive validation mode (`x-batch-validation: permissive`): the
   * default, strict mode refuses the whole batch for one invalid email, which in a mail merge
   * would fail every row for one bad one. Permissive mode creates the valid emails and lists
   * the others in `errors` by index; those are refusals of that email (permanent). `data` holds
   * the created emails' ids in request order, without the refused ones. A refusal of the call
   * (key, domain, rate limit) is thrown and applies to every message.
   */
  async sendBatch(inputs: EmailMessage[], signal?: AbortSignal): Promise<BatchItemResult[]> {
    const messages = inputs.map(withAsciiAddresses);
    const key = await batchIdempotencyKey(messages.map((m) => m.deliveryId));
    const res = await this.post(
      "/emails/batch",
      // Batch emails carry no attachments (batchKey keeps such messages out).
      JSON.stringify(messages.map((m) => this.body({ ...m, attachments: [] }))),
      { "idempotency-key": key, "x-batch-validation": "permissive" },
      signal,
      false,
    );
    if (!res.ok) throw await this.failure(res);
    const data = (await res.json().catch(() => ({}))) as Partial<ResendBatchAnswer>;
    const refused = new Map<number, string>();
    for (const e of Array.isArray(data.errors) ? data.errors : []) {
      if (typeof e.index === "number") refused.set(e.index, e.message ?? "invalid email");
    }
    const ids = Array.isArray(data.data) ? data.data : [];
    // Ids are matched to the accepted emails by position; if their count disagrees, the emails
    // were still created (they are not in `errors`), only which id is whose is unknown.
    const idsMatch = ids.length === messages.length - refused.size;
    let next = 0;
    return messages.map((_, index): BatchItemResult => {
      const reason = refused.get(index);
      if (reason !== undefined) return { ok: false, error: new ProviderError(this.name, "permanent", `${this.name}: ${reason}`) };
      const id = ids[next++]?.id;
      return { ok: true, outcome: { ...(idsMatch && id ? { providerMessageId: id } : {}), status: "delivered" } };
    });
  }

  /** The email object both endpoints take. */
  private body(message: EmailMessage): Record<string, unknown> {
    return {
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
  }

  /**
   * Both endpoints de-duplicate by Idempotency-Key, but only a single send's key is sure to be
   * asked again: a delivery is retried on its own, never in the same batch again, so the batch
   * key protects a batch's retries inside Resend's own client, not ours. A single send that timed
   * out is therefore retryable (on Resend only), a batch that timed out an unknown outcome.
   */
  private post(path: string, body: string, headers: Record<string, string>, signal: AbortSignal | undefined, idempotent: boolean): Promise<Response> {
    const base = (this.config.baseUrl ?? "https://api.resend.com").replace(/\/+$/, "");
    return providerFetch(
      this.name,
      `${base}${path}`,
      { method: "POST", headers: { authorization: `Bearer ${this.config.apiKey}`, "content-type": "application/json", ...headers }, body, signal },
      { idempotent },
    );
  }

  /** The error for a non-2xx answer of either endpoint. */
  private async failure(res: Response): Promise<ProviderError> {
    const data = await errorBody<ResendError>(res);
    return httpFailure(this.name, res, {
      message: data.message ?? data.text,
      code: data.name,
      // The first call with this key is still being processed: ask Resend again later, and get its answer.
      ...(data.name === "concurrent_idempotent_requests" ? { kind: "retryable" as const, mayHaveAccepted: true } : {}),
    });
  }
}
