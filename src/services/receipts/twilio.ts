import { timingSafeEqualString } from "../../lib/crypto/hash";
import type { Env } from "../../env";
import type { Receipt } from "./apply";
import { toBase64 } from "../../lib/crypto/encoding";
import { hmac } from "../../lib/crypto/hash";

/** Where Twilio posts status callbacks: the adapter passes it as StatusCallback when Twilio receipts are wired. */
export const TWILIO_HOOK_PATH = "/hooks/twilio";

/**
 * The absolute StatusCallback URL, on PUBLIC_ORIGIN (Twilio signs the exact URL it calls, so the
 * adapter and the verifier must agree on it); undefined when there is no http(s) origin to build
 * it on. With the dev sinks on (DEV_SINK) and Twilio pointed at the local sink, the sink's origin
 * is this Worker's own, so it serves: `npm start` does not set PUBLIC_ORIGIN, which would make
 * the outbound-URL policy refuse the local chat sink as the service calling itself.
 *
 * @example
 * ```ts
 * twilioStatusCallbackUrl({ PUBLIC_ORIGIN: "https://notify.example.gov/" }) // "https://notify.example.gov/hooks/twilio"
 * twilioStatusCallbackUrl({ DEV_SINK: "true", TWILIO_API_URL: "http://127.0.0.1:8787/dev/sink/twilio" }) // "http://127.0.0.1:8787/hooks/twilio"
 * ```
 */
export function twilioStatusCallbackUrl(env: Pick<Env, "PUBLIC_ORIGIN" | "DEV_SINK" | "TWILIO_API_URL">): string | undefined {
  const local = env.DEV_SINK === "true" && env.TWILIO_API_URL && !env.PUBLIC_ORIGIN ? env.TWILIO_API_URL : undefined;
  const origin = (env.PUBLIC_ORIGIN ?? local)?.trim();
  if (!origin || !URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  if (local && !url.pathname.startsWith("/dev/sink/twilio")) return undefined;
  return url.protocol === "https:" || url.protocol === "http:" ? `${url.origin}${TWILIO_HOOK_PATH}` : undefined;
}


/**
 * Twilio's request signature (X-Twilio-Signature, "Webhooks security"): the full URL with every
 * POST parameter appended in order of its name (name then value, no separators), HMAC-SHA1 with
 * the account's auth token, in base64.
 *
 * @example
 * ```ts
 * await twilioSignature("12345", "https://example.com/hooks/twilio", new URLSearchParams("MessageSid=SM1&MessageStatus=sent"))
 * // base64 of HMAC-SHA1("12345", "https://example.com/hooks/twilioMessageSidSM1MessageStatussent")
 * ```
 */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
  // Twilio's libraries sort by name and, for a repeated name, by value.
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const data = url + pairs.map(([name, value]) => name + value).join("");
  return toBase64(await hmac("SHA-1", authToken, data));
}

/** Whether `signature` is Twilio's for this URL and these parameters, compared in constant time. */
export async function verifyTwilioSignature(authToken: string, url: string, params: URLSearchParams, signature: string): Promise<boolean> {
  return timingSafeEqualString(signature.trim(), await twilioSignature(authToken, url, params));
}

/**
 * Twilio error codes of an `undelivered` / `failed` message after which sending again later may
 * succeed: the handset was off or out of coverage, a queue or carrier was congested, the carrier
 * gave no reason. Every other code is a permanent failure (unknown or landline number, blocked,
 * filtered as spam, STOP, unregistered sender): the same message to the same number fails again.
 */
const TEMPORARY_CODES = new Set([
  "30001", // queue overflow
  "30003", // unreachable destination handset (off, out of coverage)
  "30008", // unknown error from the carrier
  "30009", // missing segment
  "30017", // carrier network congestion
  "30022", // US A2P 10DLC rate limit exceeded
  "30023", // US A2P 10DLC daily cap reached
  "30027", // US A2P 10DLC T-Mobile daily limit reached
]);

const INTERIM = new Set(["accepted", "scheduled", "queued", "sending", "sent"]);

/** Bounds on what is read from a callback: Twilio's SIDs are 34 characters, codes 5 digits. */
const SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const CODE = /^\d{1,6}$/;

/**
 * The receipt a Twilio status callback carries (MessageSid, MessageStatus, ErrorCode), or none
 * for statuses that say nothing about delivery (inbound `received`, `canceled` before sending)
 * and for a malformed SID. Twilio's callbacks carry no event time, so the receipt is `now`.
 * Mapping: queued / accepted / scheduled / sending / sent → `sending`; delivered and read →
 * `delivered`; undelivered / failed → `temporary-failure` for the TEMPORARY_CODES, else
 * `permanent-failure` (without a code: undelivered is temporary, failed permanent).
 *
 * @example
 * ```ts
 * twilioReceipts(new URLSearchParams("MessageSid=SM…&MessageStatus=undelivered&ErrorCode=30003"), now)
 * // [{ provider: "twilio", providerMessageId: "SM…", status: "temporary-failure", providerCode: "30003", … }]
 * ```
 */
export function twilioReceipts(params: URLSearchParams, now: Date, eventId?: string): Receipt[] {
  const sid = params.get("MessageSid") ?? params.get("SmsSid") ?? "";
  const state = (params.get("MessageStatus") ?? params.get("SmsStatus") ?? "").toLowerCase();
  if (!SID.test(sid)) return [];
  const rawCode = params.get("ErrorCode")?.trim();
  const code = rawCode && CODE.test(rawCode) && rawCode !== "0" ? rawCode : undefined;
  const base = { provider: "twilio", providerMessageId: sid, at: now, ...(eventId ? { eventId } : {}) };
  if (INTERIM.has(state)) return [{ ...base, status: "sending", detail: `Twilio: ${state}` }];
  if (state === "delivered" || state === "read") return [{ ...base, status: "delivered", detail: `Twilio: ${state}` }];
  if (state === "undelivered" || state === "failed") {
    const temporary = code ? TEMPORARY_CODES.has(code) : state === "undelivered";
    return [
      {
        ...base,
        status: temporary ? "temporary-failure" : "permanent-failure",
        detail: `Twilio: ${state}${code ? ` (error ${code}, https://www.twilio.com/docs/api/errors/${code})` : ""}`,
        ...(code ? { providerCode: code } : {}),
      },
    ];
  }
  return [];
}
