import type { Env } from "../../env";
import { uuidv7 } from "../../lib/ids";
import { log } from "../../lib/log";
import { normalisePhoneNumber } from "../recipients/phone";
import { phoneRecipient } from "../receipts/normalise";
import { enqueueCallbackEvents } from "../callbacks/enqueue";
import { keywordOf } from "./keywords";

/**
 * Longest text taken, in characters: Twilio refuses anything longer (error 21617), so a
 * concatenated SMS never reaches it; the providers' webhooks are bounded in bytes before this.
 */
export const MAX_RECEIVED_TEXT_CHARS = 1600;

/** The reason an opt-out word writes on the suppression list; START and UNSTOP remove only entries with it. */
export const OPT_OUT_REASON = "opt-out";

/** One text as a provider's inbound webhook reports it, numbers as the provider wrote them. */
export interface InboundText {
  provider: "twilio" | "vonage";
  providerMessageId: string;
  /** The number the text was sent to: one of our tenants' inbound senders, or nobody's. */
  to: string;
  /** The person's number (or whatever the network says the sender is). */
  from: string;
  content: string;
}

export type InboundOutcome =
  | { kind: "stored"; id: string; tenantId: string; keyword: "out" | "in" | null }
  | { kind: "repeat" }
  | { kind: "unknown-number" };

/**
 * A number in E.164 as sms_senders stores inbound numbers, or null. Providers write the
 * international form, with or without the "+" (Vonage leaves it off), so no region is needed;
 * the one given only matters for a national number, which no provider sends.
 */
function e164(raw: string): string | null {
  const checked = normalisePhoneNumber(phoneRecipient(raw.slice(0, 64)), "GB");
  return checked.ok ? checked.e164 : null;
}

/** Who texted: their number in E.164, or (a short code, a network's alphanumeric name) the trimmed text. */
function userNumberOf(raw: string): { value: string; phone: boolean } {
  const number = e164(raw);
  return number ? { value: number, phone: true } : { value: raw.trim().slice(0, 64), phone: false };
}

const INSERT_TEXT =
  "INSERT INTO received_texts (id, tenant_id, sms_sender_id, notify_number, user_number, content, provider, provider_message_id, created_at) " +
  "SELECT ?, tenant_id, id, sender, ?, ?, ?, ?, ? FROM sms_senders WHERE sender = ? AND inbound = 1 " +
  "ON CONFLICT (provider, provider_message_id) DO NOTHING RETURNING tenant_id";

// Both keyword statements read the text the batch has just stored (by its new id), so a repeat,
// or a number nobody claims, changes no suppression.
const OPT_OUT =
  "INSERT INTO suppressions (id, tenant_id, channel, recipient, reason, source, created_at) " +
  "SELECT ?, tenant_id, 'sms', user_number, ?, 'provider', created_at FROM received_texts WHERE id = ? ON CONFLICT DO NOTHING";
const OPT_IN =
  "DELETE FROM suppressions WHERE channel = 'sms' AND source = 'provider' AND reason = ? " +
  "AND (tenant_id, recipient) IN (SELECT tenant_id, user_number FROM received_texts WHERE id = ?)";

// The callback outbox (services/callbacks/emit.ts) for the text just stored: one event per active
// registration of its tenant that asks for received texts. It reads the text by its new id, so a
// repeat (stored nothing) owes no callback and nothing is sent twice.
const RECEIVED_TEXT_EVENTS =
  "INSERT INTO callback_events (id, tenant_id, kind, notification_id, message_id, callback_id, status, detail, state, attempts, series_start, next_attempt_at, lease_until, lease_token, occurred_at, created_at, updated_at) " +
  "SELECT 'evt_' || lower(hex(randomblob(16))), t.tenant_id, 'received-text', NULL, t.id, c.id, NULL, NULL, 'pending', 0, 0, t.created_at, NULL, NULL, t.created_at, t.created_at, t.created_at " +
  "FROM received_texts AS t JOIN callbacks AS c ON c.tenant_id = t.tenant_id " +
  "WHERE t.id = ? AND c.active = 1 AND EXISTS (SELECT 1 FROM json_each(c.channel_types) WHERE value = 'received-text') RETURNING id";

const KNOWN_NUMBER = "SELECT EXISTS (SELECT 1 FROM sms_senders WHERE sender = ? AND inbound = 1) AS known";

/**
 * Stores a received text for the tenant whose inbound SMS sender is its `to` number, in one D1
 * batch (one transaction) with what its words ask: a whole-body opt-out word (keywords.ts) puts
 * the sender's number on the tenant's SMS suppression list (`opt-out`, source `provider`), so
 * later sends to it are suppressed; START or UNSTOP takes off an entry an opt-out word put there
 * (never one the tenant or a bounce added). The same batch writes a callback event for each of the
 * tenant's active registrations for `received-text`, enqueued once it commits. A text the provider posts again (same message id) is
 * stored once and changes nothing the second time. A number no tenant receives on is stored
 * nowhere and logged without the numbers or the text: the caller still answers 200, so the
 * provider does not retry a post that can never succeed.
 *
 * @example
 * ```ts
 * await receiveInboundText(env, { provider: "twilio", providerMessageId: "SM…", to: "+17787000000", from: "+17787001234", content: "STOP" }, new Date())
 * // { kind: "stored", id: "0193…", tenantId: "…", keyword: "out" }
 * ```
 */
export async function receiveInboundText(env: Env, text: InboundText, now: Date, requestId?: string): Promise<InboundOutcome> {
  const to = e164(text.to);
  if (!to) {
    log("warn", "received text for a number that is not a phone number; stored nowhere", { provider: text.provider, requestId });
    return { kind: "unknown-number" };
  }
  const user = userNumberOf(text.from);
  const id = uuidv7(now.getTime());
  const keyword = user.phone ? keywordOf(text.content) : null;
  const statements = [
    env.DB.prepare(INSERT_TEXT).bind(id, user.value, text.content, text.provider, text.providerMessageId, now.getTime(), to),
    env.DB.prepare(KNOWN_NUMBER).bind(to),
    env.DB.prepare(RECEIVED_TEXT_EVENTS).bind(id),
  ];
  if (keyword === "out") statements.push(env.DB.prepare(OPT_OUT).bind(uuidv7(now.getTime()), OPT_OUT_REASON, id));
  if (keyword === "in") statements.push(env.DB.prepare(OPT_IN).bind(OPT_OUT_REASON, id));
  const [inserted, known, events] = await env.DB.batch<Record<string, unknown>>(statements);
  const tenantId = inserted!.results[0]?.tenant_id;
  if (typeof tenantId === "string") {
    await enqueueCallbackEvents(env, events!.results.map((r) => String(r.id)));
    return { kind: "stored", id, tenantId, keyword };
  }
  if (!known!.results[0]?.known) {
    log("warn", "received text for a number no tenant receives on; stored nowhere", { provider: text.provider, requestId });
    return { kind: "unknown-number" };
  }
  return { kind: "repeat" };
}
