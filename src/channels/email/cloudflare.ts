import { bareMessageId } from "../../services/receipts/cloudflare";
import { type EmailMessage, type EmailProvider, ProviderError, type ProviderErrorKind, type SendOutcome } from "../types";
import { withAsciiAddresses } from "./address";
import { headerObject } from "./headers";

/** The error codes the binding throws (`error.code`), as Cloudflare documents them. */
const KIND_BY_CODE: Record<string, ProviderErrorKind> = {
  // Busy: the limits reset.
  E_RATE_LIMIT_EXCEEDED: "retryable",
  E_DAILY_LIMIT_EXCEEDED: "retryable",
  E_INTERNAL_SERVER_ERROR: "retryable",
  // Our sending domain or binding: every message would fail the same way.
  E_SENDER_NOT_VERIFIED: "configuration",
  E_SENDER_DOMAIN_NOT_AVAILABLE: "configuration",
  E_RECIPIENT_NOT_ALLOWED: "configuration", // outside the binding's allowed_destination_addresses
  // This message or recipient.
  E_VALIDATION_ERROR: "permanent",
  E_FIELD_MISSING: "permanent",
  E_TOO_MANY_RECIPIENTS: "permanent",
  E_TOO_MANY_ATTACHMENTS: "permanent",
  E_RECIPIENT_SUPPRESSED: "permanent",
  E_CONTENT_TOO_LARGE: "permanent",
  E_DELIVERY_FAILED: "permanent",
  E_HEADER_NOT_ALLOWED: "permanent",
  E_HEADER_USE_API_FIELD: "permanent",
  E_HEADER_VALUE_INVALID: "permanent",
  E_HEADER_VALUE_TOO_LONG: "permanent",
  E_HEADER_NAME_INVALID: "permanent",
  E_HEADERS_TOO_LARGE: "permanent",
  E_HEADERS_TOO_MANY: "permanent",
};

/**
 * Cloudflare Email Service through the Worker's `send_email` binding, in its builder form. The
 * raw form (`EmailMessage` from "cloudflare:email" with MIME from mime.ts) takes one envelope
 * recipient per call, so one email to several addresses would become several sends that can
 * half-fail, and Bcc would have to be emulated; the builder takes to, cc and bcc in one call and
 * builds the MIME itself. Its one limit: a single Reply-To, so only the first one travels.
 */
export class CloudflareEmailProvider implements EmailProvider {
  readonly name = "cloudflare";
  constructor(private readonly binding: SendEmail) {}

  async send(input: EmailMessage, signal?: AbortSignal): Promise<SendOutcome> {
    // The binding takes no signal, and racing it would report a failure for a send that may still
    // complete (and then be sent again); so the signal only stops a send that has not started.
    if (signal?.aborted) throw new ProviderError(this.name, "retryable", "cloudflare: request timed out", { cause: signal.reason });
    const message = withAsciiAddresses(input);
    const [replyTo] = message.replyTo;
    const builder: EmailMessageBuilder = {
      from: message.from.name ? { email: message.from.email, name: message.from.name } : message.from.email,
      to: message.to,
      ...(message.cc.length ? { cc: message.cc } : {}),
      ...(message.bcc.length ? { bcc: message.bcc } : {}),
      ...(replyTo ? { replyTo: replyTo.name ? { email: replyTo.email, name: replyTo.name } : replyTo.email } : {}),
      subject: message.subject,
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.html !== undefined ? { html: message.html } : {}),
      // List-Unsubscribe and List-Unsubscribe-Post are on the Email Service's list of settable headers.
      headers: headerObject(message),
      ...(message.attachments.length
        ? { attachments: message.attachments.map((a) => ({ disposition: "attachment" as const, filename: a.filename, type: a.contentType, content: a.content })) }
        : {}),
    };
    try {
      const result = await this.binding.send(builder);
      // Stored bare, as the Email Sending events are matched (services/receipts/cloudflare.ts).
      return { providerMessageId: bareMessageId(result.messageId), status: "delivered" };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const known = typeof code === "string" && Object.hasOwn(KIND_BY_CODE, code) ? code : undefined;
      const text = err instanceof Error ? err.message : String(err);
      // An error without a documented code says nothing about the message; the attempt limit bounds the retries.
      throw new ProviderError(this.name, known ? KIND_BY_CODE[known]! : "retryable", `cloudflare: ${text}`, {
        providerCode: typeof code === "string" ? code : undefined,
        cause: err,
      });
    }
  }
}
