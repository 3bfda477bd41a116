import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { SendOutcome, SmsMessage, SmsProvider } from "../types";

export interface VonageConfig {
  apiKey: string;
  apiSecret: string;
  baseUrl?: string;
}

/**
 * Vonage Messages API (POST /v1/messages, channel "sms"). Chosen over the older SMS API because
 * it is the one Vonage develops, answers with real HTTP statuses and RFC 7807 problems (the SMS
 * API answers 200 with a per-message status code), and accepts Basic auth with key and secret.
 */
export class VonageSmsProvider implements SmsProvider {
  readonly name = "vonage";
  constructor(private readonly config: VonageConfig) {}

  async send(message: SmsMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const body = {
      message_type: "text",
      channel: "sms",
      // The Messages API wants numbers without the leading "+".
      to: message.to.replace(/^\+/, ""),
      from: message.from.replace(/^\+/, ""),
      text: message.body,
      client_ref: message.deliveryId,
    };
    const res = await providerFetch(this.name, `${this.config.baseUrl ?? "https://api.nexmo.com"}/v1/messages`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${this.config.apiKey}:${this.config.apiSecret}`)}`,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(body),
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { message_uuid?: string };
      return { providerMessageId: data.message_uuid, status: "delivered" };
    }
    const data = await errorBody<{ title: string; detail: string; type: string }>(res);
    // 402 is "low balance": our account, not the message.
    throw httpFailure(this.name, res, {
      message: [data.title, data.detail].filter(Boolean).join(": ") || data.text,
      code: data.type?.split("#").pop(),
      ...(res.status === 402 ? { kind: "configuration" as const } : {}),
    });
  }
}
