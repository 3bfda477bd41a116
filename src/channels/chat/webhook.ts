import { Webhook } from "standardwebhooks";
import { remoteCode } from "../../lib/outbound/summary";
import { DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from "../../lib/outbound/url-policy";
import { type ChatMessage, type ChatProvider, ProviderError, type SendOutcome } from "../types";
import { postJson, targetFailure } from "./webhook-http";

/**
 * Standard Webhooks signing headers for `payload`: `webhook-id` is our delivery id, which stays
 * the same across retries so the receiver can drop duplicates.
 */
function signatureHeaders(provider: string, message: ChatMessage, secret: string, sentAt: Date, payload: string): Record<string, string> {
  let signer: Webhook;
  try {
    signer = new Webhook(secret);
  } catch {
    // Not a "whsec_" + base64 secret: every message to this target would fail the same way.
    throw new ProviderError(provider, "configuration", "webhook: the target's signing secret is not a valid Standard Webhooks secret (whsec_…)");
  }
  return {
    "webhook-id": message.deliveryId,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": signer.sign(message.deliveryId, sentAt, payload),
  };
}

/**
 * The error code an arbitrary receiver gave, if any: a JSON `code` or `error` string shaped like
 * an identifier (`channel_not_found`, `rate-limited`, `Payload.Invalid`). Nothing else of its
 * answer is kept.
 */
function receiverCode(body: string): string | undefined {
  try {
    const data: unknown = JSON.parse(body);
    if (!data || typeof data !== "object") return undefined;
    const { code, error } = data as Record<string, unknown>;
    return remoteCode(code) ?? remoteCode(error);
  } catch {
    return undefined;
  }
}

/**
 * A generic JSON webhook: POST `{type: "notification.message", deliveryId, text, card?,
 * timestamp}`. With a secret on the target the request is signed per Standard Webhooks, so the
 * receiver can check it came from us and is not a replay. Any 2xx is success.
 */
export class GenericWebhookProvider implements ChatProvider {
  readonly name = "webhook";

  constructor(private readonly policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY) {}

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const sentAt = new Date();
    const payload = JSON.stringify({
      type: "notification.message",
      deliveryId: message.deliveryId,
      text: message.text,
      ...(message.card !== undefined ? { card: message.card } : {}),
      timestamp: sentAt.toISOString(),
    });
    const headers = message.target.secret ? signatureHeaders(this.name, message, message.target.secret, sentAt, payload) : {};
    const res = await postJson(this.name, message.target.url, payload, this.policy, signal, headers);
    if (res.ok) return { status: "delivered" };
    throw targetFailure(this.name, res, message.target.url, { code: receiverCode(res.text) });
  }
}
