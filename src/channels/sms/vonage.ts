import { errorBody, httpFailure, providerFetch } from "../http-errors";
import { type ProviderErrorKind, ProviderError, type SendOutcome, type SmsMessage, type SmsProvider } from "../types";

export interface VonageConfig {
  apiKey: string;
  apiSecret: string;
  /** Default https://api.nexmo.com; the local sink replaces it. */
  baseUrl?: string;
}

/** RFC 7807 problem document; `type` ends in "#<code>" (a Messages API number or a generic name). */
interface VonageProblem {
  type: string;
  title: string;
  detail: string;
  instance: string;
}

/**
 * Problem codes whose kind differs from what the HTTP status alone would say. Numbers are the
 * Messages API's own codes, names the generic codes every Vonage API shares.
 */
const KIND_BY_CODE: Record<string, ProviderErrorKind> = {
  // Busy or broken on Vonage's side.
  "1000": "retryable", // throttled
  "1030": "retryable", // internal error
  "1100": "retryable", // communication failed
  "rate-limit": "retryable",
  // Our account or sender: every message would fail the same way.
  "1060": "configuration", // account barred
  "1070": "configuration", // out of credit
  "1080": "configuration", // account not enabled for REST
  "1120": "configuration", // sender id not accepted by local regulations
  "1140": "configuration", // facility not enabled on the account
  "1160": "configuration", // destination not in the account's pre-approved list
  "low-balance": "configuration",
  unprovisioned: "configuration",
  "account-suspended": "configuration",
  "invalid-api-key": "configuration",
};

/**
 * Vonage through the Messages API (POST /v1/messages with channel "sms", 202 with a
 * `message_uuid`), not the older SMS API (rest.nexmo.com/sms/json). Vonage now calls the SMS API
 * legacy and recommends the Messages API for every new integration; it also answers with real
 * HTTP statuses and RFC 7807 problems, where the SMS API answers 200 to everything and buries
 * failures in per-message status codes. Authentication is HTTP Basic with the API key and
 * secret, which the Messages API accepts alongside application JWTs.
 */
export class VonageSmsProvider implements SmsProvider {
  readonly name = "vonage";
  constructor(private readonly config: VonageConfig) {}

  async send(message: SmsMessage, signal?: AbortSignal): Promise<SendOutcome> {
    if (!message.from) throw new ProviderError(this.name, "configuration", "vonage: no sender: set SMS_FROM or a tenant sender id");
    const body = {
      message_type: "text",
      channel: "sms",
      // Numbers go without the leading "+" (E.164 digits only); alphanumeric senders are unchanged.
      to: message.to.replace(/^\+/, ""),
      from: message.from.replace(/^\+(?=\d+$)/, ""),
      text: message.body,
      client_ref: message.deliveryId,
    };
    const base = (this.config.baseUrl ?? "https://api.nexmo.com").replace(/\/+$/, "");
    const res = await providerFetch(this.name, `${base}/v1/messages`, {
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
    const data = await errorBody<VonageProblem>(res);
    const code = data.type?.includes("#") ? data.type.slice(data.type.lastIndexOf("#") + 1) : undefined;
    throw httpFailure(this.name, res, {
      message: [data.title, data.detail].filter(Boolean).join(": ") || data.text,
      code,
      kind: kindFor(res.status, code),
    });
  }
}

/** 402 Payment Required is the account's balance, not the message; a 5xx stays retryable. */
function kindFor(status: number, code: string | undefined): ProviderErrorKind | undefined {
  if (status >= 500) return undefined;
  // hasOwn: the code is the provider's text, and must not reach Object.prototype ("constructor").
  if (code !== undefined && Object.hasOwn(KIND_BY_CODE, code)) return KIND_BY_CODE[code];
  return status === 402 ? "configuration" : undefined;
}
