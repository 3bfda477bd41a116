import type { Env } from "../../env";
import { objectOf, textOf } from "../receipts/normalise";
import { twilioStatusCallbackUrl } from "../receipts/twilio";
import { type InboundText, MAX_RECEIVED_TEXT_CHARS } from "./inbound";

/** An inbound webhook whose payload is not the provider's shape (a 400 for whoever posted it). */
export class MalformedInbound extends Error {}

/** Twilio's message SIDs: SM (SMS) or MM (MMS) and 32 hex digits. */
const TWILIO_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
/** Vonage's message_uuid, and a bound on any id we store. */
const VONAGE_UUID = /^[0-9A-Za-z-]{1,64}$/;
/** Numbers as providers write them: E.164 with or without "+", a short code, a network's name. */
const MAX_NUMBER_CHARS = 64;

function bounded(value: string | undefined, what: string): string {
  if (!value) throw new MalformedInbound(`${what} is missing`);
  if (value.length > MAX_NUMBER_CHARS) throw new MalformedInbound(`${what} is longer than ${MAX_NUMBER_CHARS} characters`);
  return value;
}

function content(value: string): string {
  if ([...value].length > MAX_RECEIVED_TEXT_CHARS) throw new MalformedInbound(`the text is longer than ${MAX_RECEIVED_TEXT_CHARS} characters`);
  return value;
}

/**
 * Where Twilio posts texts received on our numbers (a number's "A message comes in" webhook, or
 * its Messaging Service's inbound URL): the status callback's URL and `/inbound`, on the same
 * origin, since Twilio signs the exact URL it calls.
 *
 * @example
 * ```ts
 * twilioInboundUrl({ PUBLIC_ORIGIN: "https://notify.example.gov" }) // "https://notify.example.gov/hooks/twilio/inbound"
 * ```
 */
export function twilioInboundUrl(env: Pick<Env, "PUBLIC_ORIGIN" | "DEV_SINK" | "TWILIO_API_URL">): string | undefined {
  const status = twilioStatusCallbackUrl(env);
  return status ? `${status}/inbound` : undefined;
}

/**
 * The text of Twilio's inbound message webhook (form fields `MessageSid`, `From`, `To`, `Body`;
 * an MMS without a caption has an empty Body).
 *
 * @example
 * ```ts
 * twilioInboundText(new URLSearchParams("MessageSid=SM…&From=%2B17787001234&To=%2B17787000000&Body=STOP"))
 * // { provider: "twilio", providerMessageId: "SM…", from: "+17787001234", to: "+17787000000", content: "STOP" }
 * ```
 */
export function twilioInboundText(params: URLSearchParams): InboundText {
  const sid = params.get("MessageSid") ?? params.get("SmsMessageSid") ?? params.get("SmsSid") ?? "";
  if (!TWILIO_SID.test(sid)) throw new MalformedInbound("MessageSid is not a Twilio message SID");
  return {
    provider: "twilio",
    providerMessageId: sid,
    to: bounded(params.get("To") ?? undefined, "To"),
    from: bounded(params.get("From") ?? undefined, "From"),
    content: content(params.get("Body") ?? ""),
  };
}

/**
 * The text of a Vonage Messages API inbound message webhook (`{channel: "sms", message_uuid, to,
 * from, text, timestamp, …}`, numbers without the "+"); null for another channel's message
 * (WhatsApp, Viber, … reach the same URL when the application has them), which is not a text.
 *
 * @example
 * ```ts
 * vonageInboundText({ channel: "sms", message_uuid: "aaaaaaaa-…", to: "447700900000", from: "447700900123", text: "Hello", message_type: "text" })
 * // { provider: "vonage", providerMessageId: "aaaaaaaa-…", to: "447700900000", from: "447700900123", content: "Hello" }
 * ```
 */
export function vonageInboundText(payload: unknown): InboundText | null {
  const message = objectOf(payload);
  if (!message) throw new MalformedInbound("Vonage posts an inbound message {channel, message_uuid, to, from, text, …}");
  if (textOf(message.channel) !== "sms") return null;
  const uuid = textOf(message.message_uuid)?.trim() ?? "";
  if (!VONAGE_UUID.test(uuid)) throw new MalformedInbound("message_uuid is missing or not an id");
  const text = message.text;
  if (text !== undefined && typeof text !== "string") throw new MalformedInbound("text is not a string");
  return {
    provider: "vonage",
    providerMessageId: uuid,
    to: bounded(textOf(message.to), "to"),
    from: bounded(textOf(message.from), "from"),
    content: content(text ?? ""),
  };
}
