/**
 * The contract between the delivery pipeline and provider adapters. One interface per channel;
 * every adapter turns a fully rendered message into its provider's documented wire format, and
 * maps the provider's answer to a SendOutcome or a ProviderError.
 */

export interface EmailAddress {
  email: string;
  name?: string;
}

export interface OutboundAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface EmailMessage {
  /** Our delivery id: used as idempotency key / custom header where the provider supports one. */
  deliveryId: string;
  from: EmailAddress;
  replyTo: EmailAddress[];
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  /** At least one of text and html is present. */
  text?: string;
  html?: string;
  attachments: OutboundAttachment[];
  /**
   * Extra header fields, written by every adapter in its provider's documented way (one-click
   * unsubscribe: `List-Unsubscribe` and `List-Unsubscribe-Post`). `safeHeaders` (email/headers.ts)
   * refuses names and values that could break a header.
   */
  headers?: Record<string, string>;
}

export interface SmsMessage {
  deliveryId: string;
  /** Sender: E.164 number, short code or alphanumeric sender id. */
  from: string;
  /** E.164, with the leading "+". */
  to: string;
  body: string;
}

export type ChatTargetType = "slack" | "teams" | "rocketchat" | "webhook";

export interface ChatTarget {
  type: ChatTargetType;
  /** Incoming-webhook URL (Slack, Teams workflow, Rocket.Chat) or the generic webhook's URL. */
  url: string;
  /** Generic webhook only: Standard Webhooks signing secret ("whsec_…"). */
  secret?: string;
}

export interface ChatMessage {
  deliveryId: string;
  target: ChatTarget;
  /** Plain text (Slack mrkdwn / Teams TextBlock / Rocket.Chat markdown are all fed from it). */
  text: string;
  /** Optional structured card, passed through in the target's native form (Slack blocks, Adaptive Card, attachments). */
  card?: Record<string, unknown> | unknown[];
}

/** Final or interim status of a message as far as the provider has told us. */
export type OutcomeStatus = "delivered" | "sending" | "temporary-failure" | "permanent-failure";

/** What the provider told us when it accepted a message. */
export interface SendOutcome {
  /** The provider's id for the message, when it returns one. */
  providerMessageId?: string;
  /**
   * `delivered` when acceptance is the last word we will get (no receipts configured);
   * `sending` when a delivery receipt is expected later. The failure statuses are for providers
   * that report the final outcome synchronously (the test-key simulator does).
   */
  status: OutcomeStatus;
  /** Per-recipient outcome where it differs from `status` (one email to several addresses). */
  recipientStatuses?: Record<string, OutcomeStatus>;
}

export type ProviderErrorKind =
  /** Worth retrying later: the provider could not be reached, 5xx, 429, provider throttling. */
  | "retryable"
  /**
   * The request went out and no answer came back in time: the provider may have accepted it, and
   * sending again could deliver twice. Not retried, unless the provider de-duplicates requests.
   */
  | "unknown"
  /** The provider refused this message and will refuse it again: bad recipient, rejected content. */
  | "permanent"
  /** Our side is wrong: missing or rejected credentials, unknown domain, bad endpoint. Retrying will not help. */
  | "configuration";

/**
 * Thrown by adapters for every failure. `message` is safe to store and show to the tenant: it
 * never contains credentials.
 */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  readonly httpStatus?: number;
  /** The provider's own error code, when it gives one. */
  readonly providerCode?: string;
  readonly retryAfterSeconds?: number;
  /**
   * Our code for the failure when the kind's own (provider_rejected, provider_misconfigured …)
   * would mislead: `url_refused` is a permanent failure the provider never saw.
   */
  readonly errorCode?: string;
  /**
   * The provider may already have taken the message (no answer came back) and is only `retryable`
   * because it de-duplicates by our idempotency key: asking it again is safe, asking another
   * provider is not, so such a failure never fails over.
   */
  readonly mayHaveAccepted: boolean;

  constructor(
    provider: string,
    kind: ProviderErrorKind,
    message: string,
    extra: { httpStatus?: number; providerCode?: string; retryAfterSeconds?: number; errorCode?: string; mayHaveAccepted?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = "ProviderError";
    this.provider = provider;
    this.kind = kind;
    this.httpStatus = extra.httpStatus;
    this.providerCode = extra.providerCode;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.errorCode = extra.errorCode;
    this.mayHaveAccepted = extra.mayHaveAccepted ?? kind === "unknown";
  }
}

export interface EmailProvider {
  readonly name: string;
  send(message: EmailMessage, signal?: AbortSignal): Promise<SendOutcome>;
}

export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage, signal?: AbortSignal): Promise<SendOutcome>;
}

export interface ChatProvider {
  readonly name: string;
  send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome>;
}

/**
 * What one message of a batch call came to: its outcome, or the error that concerns it alone
 * (a bad address among good ones). A failure of the call as a whole is thrown as a ProviderError
 * and applies to every message of the batch.
 */
export type BatchItemResult = { ok: true; outcome: SendOutcome } | { ok: false; error: ProviderError };

/**
 * An email provider with a batch API (mail merges): many fully rendered messages in one HTTP
 * call, each still reported on its own (status and provider message id per message).
 */
export interface BatchEmailProvider extends EmailProvider {
  /** Most messages one call may carry (the provider's documented bound). */
  readonly maxBatchSize: number;
  /**
   * Messages with equal keys may share one call (the same sender, say, where the provider's batch
   * form has one `from` for all); null when this message cannot travel in a batch at all
   * (attachments the batch form does not take, too many recipients).
   */
  batchKey(message: EmailMessage): string | null;
  /** One call for all of `messages` (same batchKey, at most maxBatchSize); results in the same order. */
  sendBatch(messages: EmailMessage[], signal?: AbortSignal): Promise<BatchItemResult[]>;
}

/** Whether an email adapter has a batch API. */
export function isBatchEmailProvider(provider: EmailProvider): provider is BatchEmailProvider {
  return typeof (provider as Partial<BatchEmailProvider>).sendBatch === "function";
}
