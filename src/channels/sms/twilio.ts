import { errorBody, httpFailure, providerFetch } from "../http-errors";
import { type ProviderErrorKind, ProviderError, type SendOutcome, type SmsMessage, type SmsProvider } from "../types";

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** Sends through this Messaging Service (its sender pool picks the number) when a message has no sender. */
  messagingServiceSid?: string;
  /** Default https://api.twilio.com; the local sink replaces it. */
  baseUrl?: string;
  /** Absolute URL of our status callback route, passed as StatusCallback when Twilio receipts are wired. */
  statusCallback?: string;
}

/** Twilio's JSON error document (HTTP 4xx/5xx). */
interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/**
 * Error codes whose kind differs from what the HTTP status alone would say (Twilio answers most
 * refusals with a plain 400). Codes not listed here fall back to the status.
 */
const KIND_BY_CODE: Record<number, ProviderErrorKind> = {
  // Our account or sender is wrong: every message would fail the same way.
  20003: "configuration", // authentication failed
  20404: "configuration", // the account (SID) or URL does not exist
  21212: "configuration", // invalid From number
  21606: "configuration", // From is not an SMS-capable number of this account
  // Busy, not refused.
  20429: "retryable", // too many requests
  21611: "retryable", // the From number's outbound queue is full
  // This recipient, and only this one, cannot be reached.
  21211: "permanent", // invalid To number
  21408: "permanent", // destination region not enabled in Geo Permissions
  21610: "permanent", // recipient replied STOP
  21612: "permanent", // To/From pair cannot be connected
  21614: "permanent", // To is not a mobile number
};

/**
 * Twilio Programmable Messaging: Create a Message (form-encoded, HTTP Basic with the account SID
 * and auth token, 201 with the Message resource).
 *
 * Sender: the message's own sender (request, tenant or SMS_FROM) always wins and goes as `From`,
 * so a tenant's chosen sender id is honoured; only a message without one goes through the
 * configured Messaging Service, whose pool then picks the number. Twilio documents
 * `MessagingServiceSid` as taking the place of `From`, so the two are never sent together;
 * operators who want the pool to choose leave SMS_FROM unset.
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = "twilio";
  constructor(private readonly config: TwilioConfig) {}

  async send(message: SmsMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const form = new URLSearchParams({ To: message.to });
    if (message.from) form.set("From", message.from);
    else if (this.config.messagingServiceSid) form.set("MessagingServiceSid", this.config.messagingServiceSid);
    else throw new ProviderError(this.name, "configuration", "twilio: no sender: set SMS_FROM, a tenant sender id or TWILIO_MESSAGING_SERVICE_SID");
    form.set("Body", message.body);
    if (this.config.statusCallback) form.set("StatusCallback", this.config.statusCallback);

    const base = (this.config.baseUrl ?? "https://api.twilio.com").replace(/\/+$/, "");
    const res = await providerFetch(this.name, `${base}/2010-04-01/Accounts/${encodeURIComponent(this.config.accountSid)}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${this.config.accountSid}:${this.config.authToken}`)}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: form.toString(),
      signal,
    });
    if (res.ok) {
      const data = (await res.json().catch(() => ({}))) as { sid?: string };
      return { providerMessageId: data.sid, status: "delivered" };
    }
    const data = await errorBody<TwilioError>(res);
    throw httpFailure(this.name, res, {
      message: data.message ?? data.text,
      code: data.code !== undefined ? String(data.code) : undefined,
      kind: kindFor(res.status, data.code),
    });
  }
}

/** A server error stays retryable whatever code came with it. */
function kindFor(status: number, code: number | undefined): ProviderErrorKind | undefined {
  if (status >= 500 || code === undefined) return undefined;
  return KIND_BY_CODE[code];
}
