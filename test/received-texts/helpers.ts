import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { expect } from "vitest";
import type { Env } from "../../src/env";
import { sha256Hex } from "../../src/lib/crypto/hash";
import { twilioSignature } from "../../src/services/receipts/twilio";
import { asAdmin, json } from "../helpers/http";
import type { TestTenant } from "../helpers/tenants";
import { callWith, PUBLIC_ORIGIN } from "../receipts/helpers";

/** The suite's deployment with a public origin, which Twilio's signature covers. */
export const inboundEnv = (extra: Partial<Env> = {}): Env => ({ ...env, PUBLIC_ORIGIN, ...extra }) as Env;

export const TWILIO_INBOUND_URL = `${PUBLIC_ORIGIN}/hooks/twilio/inbound`;

/** A Twilio message SID: SM and 32 hex digits. */
export const twilioSid = () => `SM${crypto.randomUUID().replaceAll("-", "")}`;

/** Twilio's inbound message webhook as Twilio posts it (its documented fields), signed unless `signature` is given. */
export async function twilioInbound(fields: { From: string; To: string; Body: string; MessageSid?: string }, options: { signature?: string | null; token?: string; e?: Env } = {}) {
  const sid = fields.MessageSid ?? twilioSid();
  const params = new URLSearchParams({
    ToCountry: "GB",
    ToState: "",
    SmsMessageSid: sid,
    NumMedia: "0",
    ToCity: "",
    FromZip: "",
    SmsSid: sid,
    FromState: "",
    SmsStatus: "received",
    FromCity: "",
    Body: fields.Body,
    FromCountry: "GB",
    To: fields.To,
    MessagingServiceSid: "MG00000000000000000000000000000001",
    ToZip: "",
    NumSegments: "1",
    MessageSid: sid,
    AccountSid: env.TWILIO_ACCOUNT_SID!,
    From: fields.From,
    ApiVersion: "2010-04-01",
  });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "i-twilio-idempotency-token": crypto.randomUUID() };
  const signature = options.signature === undefined ? await twilioSignature(options.token ?? env.TWILIO_AUTH_TOKEN!, TWILIO_INBOUND_URL, params) : options.signature;
  if (signature !== null) headers["x-twilio-signature"] = signature;
  const res = await callWith(options.e ?? inboundEnv(), "/hooks/twilio/inbound", { method: "POST", headers, body: params.toString() });
  return { res, sid };
}

/** Vonage's Messages API inbound SMS as Vonage signs it: HS256 JWT with iat and the body's SHA-256 as payload_hash. */
export async function vonageInbound(message: Record<string, unknown>, options: { secret?: string; unsigned?: boolean } = {}) {
  const body = JSON.stringify(message);
  const token = await new SignJWT({ iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), iss: "Vonage", payload_hash: await sha256Hex(body), api_key: "test-vonage-key" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(options.secret ?? env.VONAGE_SIGNATURE_SECRET!));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (!options.unsigned) headers.authorization = `Bearer ${token}`;
  return callWith(inboundEnv(), "/hooks/vonage/inbound", { method: "POST", headers, body });
}

/** Vonage's documented inbound SMS fields (numbers without "+"). */
export const vonageSms = (from: string, to: string, text: string, uuid = crypto.randomUUID()) => ({
  channel: "sms",
  message_uuid: uuid,
  to,
  from,
  timestamp: new Date().toISOString(),
  text,
  sms: { num_messages: "1", keyword: text.split(" ")[0]!.toUpperCase() },
  usage: { price: "0.0057", currency: "EUR" },
  message_type: "text",
  context_status: "none",
});

/** Assigns `number` to the tenant as an inbound SMS sender, as only the operator may. */
export async function inboundSender(tenant: TestTenant, number: string): Promise<string> {
  const res = await asAdmin("POST", `/api/v1/tenants/${tenant.id}/inbound-numbers`, { body: { number } });
  expect(res.status).toBe(201);
  return (await json(res)).id;
}

/** Every stored text with this provider message id (D1 directly: the hooks answer the same whatever happened). */
export async function storedTexts(providerMessageId: string) {
  const rows = await env.DB.prepare("SELECT * FROM received_texts WHERE provider_message_id = ?").bind(providerMessageId).all<Record<string, unknown>>();
  return rows.results;
}

/** A fresh number in Ofcom's drama range (+447700900000–999), which the phone rules accept. */
let next = Math.floor(Math.random() * 500);
export const dramaNumber = () => `+447700900${String(next++ % 1000).padStart(3, "0")}`;
