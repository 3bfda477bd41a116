import { errorBody, httpFailure, providerFetch } from "../http-errors";
import type { ProviderErrorKind, SendOutcome, SmsMessage, SmsProvider } from "../types";

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** Used as the sender when a message has no explicit sender id. */
  messagingServiceSid?: string;
  baseUrl?: string;
}

/** Twilio error codes about the recipient or content (retrying cannot help). */
const PERMANENT_CODES = new Set([21211, 21408, 21610, 21612, 21614, 21617, 21635, 30003, 30004, 30005, 30006, 30007]);
/** Codes about our account or sender. */
const CONFIGURATION_CODES = new Set([20003, 20404, 21212, 21606, 21659, 21703]);

function kindForCode(code: number | undefined): ProviderErrorKind | undefined {
  if (code === undefined) return undefined;
  if (code === 20429) return "retryable";
  if (CONFIGURATION_CODES.has(code)) return "configuration";
  if (PERMANENT_CODES.has(code)) return "permanent";
  return undefined;
}

/**
 * Twilio Programmable Messaging (Create a Message). The sender is the message's `from` when it
 * has one; otherwise the configured Messaging Service picks a number from its pool.
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = "twilio";
  constructor(private readonly config: TwilioConfig) {}

  async send(message: SmsMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    if (message.from) form.set("From", message.from);
    else if (this.config.messagingServiceSid) form.set("MessagingServiceSid", this.config.messagingServiceSid);
    const base = this.config.baseUrl ?? "https://api.twilio.com";
    const res = await providerFetch(this.name, `${base}/2010-04-01/Accounts/${encodeURIComponent(this.config.accountSid)}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${this.config.accountSid}:${this.config.authToken}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: form.toString(),
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { sid?: string };
      return { providerMessageId: data.sid, status: "delivered" };
    }
    const data = await errorBody<{ code: number; message: string }>(res);
    throw httpFailure(this.name, res, {
      message: data.message ?? data.text,
      code: data.code !== undefined ? String(data.code) : undefined,
      kind: kindForCode(data.code),
    });
  }
}
