import { ProviderError, type EmailMessage, type EmailProvider, type SendOutcome } from "../types";

/**
 * Cloudflare's `send_email` binding, through its builder form: it takes to, cc and bcc in one
 * call (the raw `EmailMessage` form allows a single envelope recipient, which would turn one
 * email into several sends that can half-fail).
 */
export class CloudflareEmailProvider implements EmailProvider {
  readonly name = "cloudflare";
  constructor(private readonly binding: SendEmail) {}

  async send(message: EmailMessage): Promise<SendOutcome> {
    const builder = {
      from: message.from.name ? { email: message.from.email, name: message.from.name } : message.from.email,
      to: message.to,
      ...(message.cc.length ? { cc: message.cc } : {}),
      ...(message.bcc.length ? { bcc: message.bcc } : {}),
      ...(message.replyTo[0] ? { replyTo: message.replyTo[0].email } : {}),
      subject: message.subject,
      ...(message.text !== undefined ? { text: message.text } : {}),
      ...(message.html !== undefined ? { html: message.html } : {}),
      headers: { "X-Notify-Delivery-Id": message.deliveryId },
      ...(message.attachments.length
        ? {
            attachments: message.attachments.map((a) => ({
              disposition: "attachment" as const,
              filename: a.filename,
              type: a.contentType,
              content: a.content,
            })),
          }
        : {}),
    } as EmailMessageBuilder;
    try {
      const result = (await this.binding.send(builder)) as { messageId?: string } | undefined;
      return { providerMessageId: result?.messageId, status: "delivered" };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      // The binding refuses unverified destinations and senders outright; those will not improve on retry.
      const kind = /verif|not allowed|destination|sender/i.test(text) ? "configuration" : "retryable";
      throw new ProviderError(this.name, kind, `cloudflare: ${text}`, { cause: err });
    }
  }
}
