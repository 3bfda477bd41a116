import { Webhook } from "standardwebhooks";
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
 * What an arbitrary receiver said: a JSON `message` or `error` string when it sent one, otherwise
 * the start of its body.
 */
function receiverWords(body: string): string {
  try {
    const data: unknown = JSON.parse(body);
    if (data && typeof data === "object") {
      const { message, error } = data as Record<string, unknown>;
      const words = typeof message === "string" ? message : error;
      if (typeof words === "string") return words;
    }
  } catch {
    // Not JSON: the text itself is the best we have.
  }
  return body.slice(0, 200);
}

/**
 * A generic JSON webhook: POST `{type: "notification.message", deliveryId, text, card?,
 * timestamp}`. With a secret on the target the request is signed per Standard Webhooks, so the
 * receiver can check it came from us and is not a replay. Any 2xx is success.
 */
export class GenericWebhookProvider implements ChatProvider {
  readonly name = "webhook";

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
    const res = await postJson(this.name, message.target.url, payload, signal, headers);
    if (res.ok) {
      await res.body?.cancel();
      return { status: "delivered" };
    }
    throw targetFailure(this.name, res, message.target.url, { message: receiverWords(await res.text().catch(() => "")) });
  }
}
