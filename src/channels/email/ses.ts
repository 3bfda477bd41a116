import { AwsClient } from "aws4fetch";
import { kindForStatus, providerFetch, retryAfterSeconds } from "../http-errors";
import { bytesToBase64 } from "../encoding";
import { type EmailMessage, type EmailProvider, ProviderError, type SendOutcome } from "../types";
import { buildMime } from "./mime";

export interface SesConfig {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Base URL; default https://email.{region}.amazonaws.com */
  endpoint?: string;
  configurationSet?: string;
}

/** SES error types that mean "our account or identity", not "this message". */
const CONFIGURATION_ERRORS = new Set([
  "AccountSuspendedException",
  "SendingPausedException",
  "AccountSendingPausedException",
  "MailFromDomainNotVerifiedException",
  "NotFoundException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "AccessDeniedException",
]);
const RETRYABLE_ERRORS = new Set(["TooManyRequestsException", "LimitExceededException", "ThrottlingException", "InternalFailure", "ServiceUnavailable"]);

/**
 * Amazon SES v2 SendEmail with raw MIME content, signed with SigV4 (aws4fetch). Raw content lets
 * attachments, cc and reply-to travel exactly as built; bcc goes only in `Destination`.
 */
export class SesEmailProvider implements EmailProvider {
  readonly name = "ses";
  private readonly client: AwsClient;
  private readonly url: string;

  constructor(private readonly config: SesConfig) {
    this.client = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      region: config.region,
      service: "ses",
    });
    const base = (config.endpoint ?? `https://email.${config.region}.amazonaws.com`).replace(/\/+$/, "");
    this.url = `${base}/v2/email/outbound-emails`;
  }

  async send(message: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const body = {
      FromEmailAddress: message.from.name ? `${JSON.stringify(message.from.name)} <${message.from.email}>` : message.from.email,
      Destination: {
        ToAddresses: message.to,
        ...(message.cc.length ? { CcAddresses: message.cc } : {}),
        ...(message.bcc.length ? { BccAddresses: message.bcc } : {}),
      },
      ...(message.replyTo.length ? { ReplyToAddresses: message.replyTo.map((r) => r.email) } : {}),
      Content: { Raw: { Data: bytesToBase64(new TextEncoder().encode(buildMime(message))) } },
      ...(this.config.configurationSet ? { ConfigurationSetName: this.config.configurationSet } : {}),
    };
    const request = await this.client.sign(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const res = await providerFetch(this.name, request, { signal });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { MessageId?: string };
      return { providerMessageId: data.MessageId, status: "delivered" };
    }
    const data = (await res.json().catch(() => ({}))) as { __type?: string; message?: string; Message?: string };
    const type = (res.headers.get("x-amzn-errortype") ?? data.__type ?? "").split(":")[0]!.split("#").pop() ?? "";
    const kind = RETRYABLE_ERRORS.has(type) ? "retryable" : CONFIGURATION_ERRORS.has(type) ? "configuration" : kindForStatus(res.status);
    throw new ProviderError(this.name, kind, `SES ${type || res.status}: ${data.message ?? data.Message ?? res.statusText}`, {
      httpStatus: res.status,
      providerCode: type || undefined,
      retryAfterSeconds: retryAfterSeconds(res),
    });
  }
}
