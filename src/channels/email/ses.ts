import { AwsClient } from "aws4fetch";
import { utf8ToBase64 } from "../encoding";
import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { EmailMessage, EmailProvider, ProviderErrorKind, SendOutcome } from "../types";
import { withAsciiAddresses } from "./address";
import { buildMime } from "./mime";

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
 * Amazon SES v2 SendEmail with raw MIME content, signed with SigV4 (aws4fetch). Raw content lets
 * attachments, cc and every reply-to travel exactly as built; bcc exists only in `Destination`,
 * which is the SMTP envelope. `FromEmailAddress` is the bare (verified) address: the display
 * name is in the MIME From header.
 */
export class SesEmailProvider implements EmailProvider {
  readonly name = "ses";
  private readonly client: AwsClient;
  private readonly url: string;

  constructor(private readonly config: SesConfig) {
    this.client = new AwsClient({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: config.region, service: "ses" });
    const base = (config.endpoint ?? `https://email.${config.region}.amazonaws.com`).replace(/\/+$/, "");
    this.url = `${base}/v2/email/outbound-emails`;
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
    // sign() rather than AwsClient.fetch, which retries 5xx by itself: retrying is the delivery queue's job.
    const request = await this.client.sign(this.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const res = await providerFetch(this.name, request, { signal });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { MessageId?: string };
      return { providerMessageId: data.MessageId, status: "delivered" };
    }
    const data = await errorBody<SesError>(res);
    const type = errorType(res, data);
    const listed = type !== undefined && Object.hasOwn(KIND_BY_TYPE, type) ? KIND_BY_TYPE[type] : undefined;
    throw httpFailure(this.name, res, {
      message: [type, data.message ?? data.Message ?? data.text].filter(Boolean).join(": "),
      code: type,
      // A server error stays retryable whatever type came with it.
      kind: res.status >= 500 ? undefined : listed,
    });
  }
}
