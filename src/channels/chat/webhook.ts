import { Webhook } from "standardwebhooks";
import { errorBody, httpFailure } from "../http-errors";
import type { ChatMessage, ChatProvider, SendOutcome } from "../types";
import { postJson, redactUrl } from "./post-json";

/**
 * A generic JSON webhook. With a secret, requests are signed per Standard Webhooks so the
 * receiver can check they came from us and were not replayed.
 */
export class GenericWebhookProvider implements ChatProvider {
  readonly name = "webhook";

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const now = new Date();
    const body = {
      type: "notification.message",
      deliveryId: message.deliveryId,
      text: message.text,
      ...(message.card !== undefined ? { card: message.card } : {}),
      timestamp: now.toISOString(),
    };
    const payload = JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (message.target.secret) {
      headers["webhook-id"] = message.deliveryId;
      headers["webhook-timestamp"] = String(Math.floor(now.getTime() / 1000));
      headers["webhook-signature"] = new Webhook(message.target.secret).sign(message.deliveryId, now, payload);
    }
    const res = await postJson(this.name, message.target.url, body, signal, headers);
    if (res.ok) return { status: "delivered" };
    const data = await errorBody<{ message: string }>(res);
    throw httpFailure(this.name, res, { message: `${data.message ?? data.text ?? res.statusText} (${redactUrl(message.target.url)})` });
  }
}
