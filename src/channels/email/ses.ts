import { AwsClient } from "aws4fetch";
import { stripUnsafeText } from "../../lib/display-name";
import { formatMailbox } from "../../lib/mailbox";
import { utf8ToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import {
  type BatchEmailProvider,
  type BatchItemResult,
  type EmailAddress,
  type EmailMessage,
  ProviderError,
  type ProviderErrorKind,
  type SendOutcome,
} from "../types";
import { withAsciiAddresses } from "./address";
import { headerObject } from "./headers";
import { buildMime, encodedWords } from "./mime";

export interface SesConfig {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Base URL; default https://email.{region}.amazonaws.com (SES_ENDPOINT points it at the local sink). */
  endpoint?: string;
  configurationSet?: string;
}

/** SES's error document (restJson1): the type is also in the `x-amzn-ErrorType` header. */
interface SesError {
  message: string;
  Message: string;
  __type: string;
  code: string;
}

/**
 * Error types whose kind differs from what the HTTP status says (SES answers most of them with a
 * plain 400). Types not listed here fall back to the status: MessageRejected and
 * BadRequestException are 400, so permanent.
 */
const KIND_BY_TYPE: Record<string, ProviderErrorKind> = {
  // Busy: the sending rate or quota frees up again.
  TooManyRequestsException: "retryable",
  LimitExceededException: "retryable",
  ThrottlingException: "retryable",
  Throttling: "retryable",
  // Our account, identity or credentials: every message would fail the same way.
  AccountSuspendedException: "configuration",
  SendingPausedException: "configuration",
  AccountSendingPausedException: "configuration",
  ConfigurationSetSendingPausedException: "configuration",
  MailFromDomainNotVerifiedException: "configuration",
  NotFoundException: "configuration", // the configuration set does not exist
  ConfigurationSetDoesNotExistException: "configuration",
  UnrecognizedClientException: "configuration",
  InvalidClientTokenId: "configuration",
  InvalidSignatureException: "configuration",
  SignatureDoesNotMatch: "configuration",
  IncompleteSignature: "configuration",
  MissingAuthenticationToken: "configuration",
  AccessDeniedException: "configuration",
};

/** `MessageRejected:http://internal.amazon.com/…` or `com.amazonaws.sesv2#MessageRejected` → `MessageRejected`. */
function errorType(res: Response, body: Partial<SesError>): string | undefined {
  const raw = res.headers.get("x-amzn-errortype") ?? body.__type ?? body.code;
  return raw?.split(":")[0]!.split("#").pop() || undefined;
}

/**
 * What SendBulkEmail says of each entry (BulkEmailEntryResult.Status) besides SUCCESS, as a
 * kind. The SES reference documents some statuses under another spelling than the API model
 * sends (CONFIGURATION_SET_DOES_NOT_EXIST / CONFIGURATION_SET_NOT_FOUND, …): both are listed.
 * Unlisted statuses (MESSAGE_REJECTED, INVALID_PARAMETER, FAILED) are refusals of the entry.
 */
const KIND_BY_STATUS: Record<string, ProviderErrorKind> = {
  // Busy: the sending rate or quota frees up again.
  ACCOUNT_THROTTLED: "retryable",
  ACCOUNT_DAILY_QUOTA_EXCEEDED: "retryable",
  TRANSIENT_FAILURE: "retryable",
  // Our account, identity or configuration set: every entry would fail the same way.
  MAIL_FROM_DOMAIN_NOT_VERIFIED: "configuration",
  CONFIGURATION_SET_NOT_FOUND: "configuration",
  CONFIGURATION_SET_DOES_NOT_EXIST: "configuration",
  TEMPLATE_NOT_FOUND: "configuration",
  TEMPLATE_DOES_NOT_EXIST: "configuration",
  ACCOUNT_SUSPENDED: "configuration",
  INVALID_SENDING_POOL_NAME: "configuration",
  ACCOUNT_SENDING_PAUSED: "configuration",
  CONFIGURATION_SET_SENDING_PAUSED: "configuration",
};

/** Most entries one SendBulkEmail call may carry (BulkEmailEntries, SES's documented bound). */
const BULK_SIZE = 50;

/** ReplacementTemplateData's documented maximum length. */
const TEMPLATE_DATA_LENGTH = 262_144;

/**
 * The inline template of every bulk call: nothing but placeholders for the parts each entry
 * brings already rendered, so our renderer stays the only one. Triple braces: SES templates
 * are Handlebars, where double braces HTML-escape the value (an `&` in a subject would arrive as
 * `&amp;`, the HTML body as its own source text) and triple braces insert it as it is. SES's
 * guide also says it does not escape HTML; triple braces are right either way.
 */
const TEMPLATE_PARTS = { Subject: "{{{subject}}}", Html: "{{{html}}}", Text: "{{{text}}}" } as const;

/** MessageHeader's documented rules: a name of printable ASCII but `:` (at most 126), a value of printable ASCII (1 to 870). */
const HEADER_NAME = /^[!-9;-~]{1,126}$/;
const HEADER_VALUE = /^[ -~]{1,870}$/;
/** At most this many headers per entry: the documented bound of a template's Headers, assumed for ReplacementHeaders too. */
const MAX_HEADERS = 15;

/**
 * A mailbox for SES's address fields when no MIME message carries the display name (bulk
 * sends): `Name <addr>`, the name as RFC 2047 encoded-words when it is not ASCII, as SES
 * documents for the "friendly from" name.
 *
 * @example
 * ```ts
 * sesMailbox({ email: "f@example.gov", name: "Funding, Inc." }) // '"Funding, Inc." <f@example.gov>'
 * sesMailbox({ email: "f@example.gov", name: "Équipe" })        // "=?UTF-8?B?w4lxdWlwZQ==?= <f@example.gov>"
 * ```
 */
export function sesMailbox(address: EmailAddress): string {
  const name = address.name ? stripUnsafeText(address.name) : "";
  if (/^[\x20-\x7e]*$/.test(name)) return formatMailbox(address);
  return `${encodedWords(name).join(" ")} <${address.email}>`;
}

/** The rendered parts an entry brings to the template (ReplacementTemplateData). */
function templateData(message: EmailMessage): string {
  return JSON.stringify({
    subject: message.subject,
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.text !== undefined ? { text: message.text } : {}),
  });
}

/**
 * Amazon SES v2, signed with SigV4 (aws4fetch). One message: SendEmail with raw MIME content,
 * which lets attachments, cc and every reply-to travel exactly as built; bcc exists only in
 * `Destination`, which is the SMTP envelope. `FromEmailAddress` is the bare (verified) address:
 * the display name is in the MIME From header. Mail merges: SendBulkEmail (sendBatch).
 */
export class SesEmailProvider implements BatchEmailProvider {
  readonly name = "ses";
  readonly maxBatchSize = BULK_SIZE;
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(private readonly config: SesConfig) {
    this.client = new AwsClient({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: config.region, service: "ses" });
    this.base = (config.endpoint ?? `https://email.${config.region}.amazonaws.com`).replace(/\/+$/, "");
  }

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const message = withAsciiAddresses(input);
    const body = {
      FromEmailAddress: message.from.email,
      Destination: {
        ToAddresses: message.to,
        ...(message.cc.length ? { CcAddresses: message.cc } : {}),
        ...(message.bcc.length ? { BccAddresses: message.bcc } : {}),
      },
      ...(message.replyTo.length ? { ReplyToAddresses: message.replyTo.map((r) => r.email) } : {}),
      Content: { Raw: { Data: utf8ToBase64(buildMime(message)) } },
      ...(this.config.configurationSet ? { ConfigurationSetName: this.config.configurationSet } : {}),
    };
    const res = await this.post("/v2/email/outbound-emails", body, signal);
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { MessageId?: string };
      return { providerMessageId: data.MessageId, status: "delivered" };
    }
    throw await this.failure(res);
  }

  /**
   * SendBulkEmail has one sender, one reply-to list and one template per call, so those are the
   * key: the sender and reply-to as written on the wire, and which of html and text the message
   * has (the template's parts must match every entry's, or an entry would render an empty part).
   * Null, so the message goes through SendEmail, when bulk cannot carry it: attachments (bulk
   * has no per-entry attachments), rendered parts longer than ReplacementTemplateData takes, or
   * extra headers that a bulk entry's MessageHeader does not allow (non-ASCII, too long).
   *
   * @example
   * ```ts
   * ses.batchKey({ ...message, attachments: [] }) // '["Notify <noreply@example.gov>",[],true,true]'
   * ses.batchKey(messageWithAttachment)          // null
   * ```
   */
  batchKey(input: EmailMessage): string | null {
    if (input.attachments.length > 0) return null;
    const message = withAsciiAddresses(input);
    if (templateData(message).length > TEMPLATE_DATA_LENGTH) return null;
    const headers = Object.entries(headerObject(message));
    if (headers.length > MAX_HEADERS || !headers.every(([name, value]) => HEADER_NAME.test(name) && HEADER_VALUE.test(value))) return null;
    return JSON.stringify([sesMailbox(message.from), message.replyTo.map(sesMailbox), message.html !== undefined, message.text !== undefined]);
  }

  /**
   * SendBulkEmail with an inline template of placeholders (TEMPLATE_PARTS) and, per entry, the
   * message's rendered subject, html and text as ReplacementTemplateData, its recipients and its
   * extra headers (X-Notify-Delivery-Id, List-Unsubscribe …) as ReplacementHeaders. Sender and
   * reply-to come from the first message: all share them (same batchKey). SES answers one
   * BulkEmailEntryResult per entry, in order; a status other than SUCCESS concerns that entry.
   * Unlike SendEmail, SES writes the Message-ID itself.
   */
  async sendBatch(inputs: EmailMessage[], signal?: AbortSignal): Promise<BatchItemResult[]> {
    const messages = inputs.map(withAsciiAddresses);
    const first = messages[0]!;
    const body = {
      FromEmailAddress: sesMailbox(first.from),
      ...(first.replyTo.length ? { ReplyToAddresses: first.replyTo.map(sesMailbox) } : {}),
      DefaultContent: {
        Template: {
          TemplateContent: {
            Subject: TEMPLATE_PARTS.Subject,
            ...(first.html !== undefined ? { Html: TEMPLATE_PARTS.Html } : {}),
            ...(first.text !== undefined ? { Text: TEMPLATE_PARTS.Text } : {}),
          },
          TemplateData: "{}",
        },
      },
      BulkEmailEntries: messages.map((message) => ({
        Destination: {
          ToAddresses: message.to,
          ...(message.cc.length ? { CcAddresses: message.cc } : {}),
          ...(message.bcc.length ? { BccAddresses: message.bcc } : {}),
        },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: templateData(message) } },
        ReplacementHeaders: Object.entries(headerObject(message)).map(([Name, Value]) => ({ Name, Value })),
      })),
      ...(this.config.configurationSet ? { ConfigurationSetName: this.config.configurationSet } : {}),
    };
    const res = await this.post("/v2/email/outbound-bulk-emails", body, signal);
    if (!res.ok) throw await this.failure(res);
    const data = (await res.json().catch(() => ({}))) as { BulkEmailEntryResults?: { Status?: string; Error?: string; MessageId?: string }[] };
    const results = data.BulkEmailEntryResults;
    // The call was accepted: without one result per entry we cannot say which were sent.
    if (!Array.isArray(results) || results.length !== messages.length) {
      throw new ProviderError(this.name, "unknown", `${this.name}: the bulk answer does not list every entry; they may have been sent`, { httpStatus: res.status });
    }
    return results.map((result): BatchItemResult => {
      if (result.Status === "SUCCESS") return { ok: true, outcome: { providerMessageId: result.MessageId, status: "delivered" } };
      const status = result.Status ?? "FAILED";
      const kind = Object.hasOwn(KIND_BY_STATUS, status) ? KIND_BY_STATUS[status]! : "permanent";
      return { ok: false, error: new ProviderError(this.name, kind, `${this.name}: ${[status, result.Error].filter(Boolean).join(": ")}`, { providerCode: status }) };
    });
  }

  private async post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    // sign() rather than AwsClient.fetch, which retries 5xx by itself: retrying is the delivery queue's job.
    const request = await this.client.sign(`${this.base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return providerFetch(this.name, request, { signal });
  }

  /** The error for a non-2xx answer of either operation. */
  private async failure(res: Response): Promise<ProviderError> {
    const data = await errorBody<SesError>(res);
    const type = errorType(res, data);
    const listed = type !== undefined && Object.hasOwn(KIND_BY_TYPE, type) ? KIND_BY_TYPE[type] : undefined;
    return httpFailure(this.name, res, {
      message: [type, data.message ?? data.Message ?? data.text].filter(Boolean).join(": "),
      code: type,
      // A server error stays retryable whatever type came with it.
      kind: res.status >= 500 ? undefined : listed,
    });
  }
}
