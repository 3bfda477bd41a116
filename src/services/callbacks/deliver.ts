import { and, eq, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { callbackAttempts, callbackEvents, type CallbackAttemptRow, type CallbackEventRow, type CallbackRow, callbacks, deliveries, messages, notifications, receivedTexts } from "../../db/schema";
import type { Env } from "../../env";
import { uuidv7 } from "../../lib/ids";
import { log } from "../../lib/log";
import { OutboundError, outboundFetch } from "../../lib/outbound/fetch";
import { outboundPolicy } from "../../lib/outbound/url-policy";
import { enqueueCallbackEvents } from "./enqueue";
import { type CallbackPayload, callbackPayload, type ReceivedTextPayload, receivedTextPayload } from "./payload";
import { openCallback } from "./registrations";
import { nextDelaySeconds, retryAfterSeconds } from "./schedule";
import { signatures } from "./secrets";

/** Default milliseconds for one POST, answer included (CALLBACK_TIMEOUT_MS). */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 15_000;
/** Characters of a receiver's answer kept with the attempt. */
export const RESPONSE_SNIPPET_BYTES = 1024;
/** A claim outlives its POST by this much; a consumer that vanished is noticed by the outbox sweep after it. */
const LEASE_MARGIN_MS = 30_000;

export function callbackTimeoutMs(env: Pick<Env, "CALLBACK_TIMEOUT_MS">): number {
  const ms = Number(env.CALLBACK_TIMEOUT_MS);
  return Number.isFinite(ms) && ms >= 1_000 && ms <= 60_000 ? ms : DEFAULT_CALLBACK_TIMEOUT_MS;
}

/** How an attempt ended, as recorded and acted on. */
type Ending =
  | { kind: "delivered" }
  | { kind: "retry"; retryAfter?: number }
  | { kind: "failed" }
  | { kind: "gone" };

interface AttemptResult {
  ending: Ending;
  httpStatus: number | null;
  error: string | null;
  snippet: string | null;
}

/**
 * Claims an event for one attempt: only one that is due (`pending`), or `delivering` under a
 * lease that ran out (its consumer vanished), can be taken, so a queue message delivered twice
 * finds the second copy refused and never POSTs twice for the same attempt. The same batch reads
 * what the POST needs, conditional on the claim's token.
 */
async function claim(db: Db, env: Env, eventId: string, now: Date) {
  const token = crypto.randomUUID();
  const [claimed, registration, about, texts] = await db.batch([
    db
      .update(callbackEvents)
      .set({
        state: "delivering",
        attempts: sql`${callbackEvents.attempts} + 1`,
        leaseToken: token,
        leaseUntil: new Date(now.getTime() + callbackTimeoutMs(env) + LEASE_MARGIN_MS),
        updatedAt: now,
      })
      .where(
        and(
          eq(callbackEvents.id, eventId),
          or(
            // A second early is still due: a queue's delay and our clock need not agree to the millisecond.
            and(eq(callbackEvents.state, "pending"), lte(callbackEvents.nextAttemptAt, new Date(now.getTime() + 1_000))),
            and(eq(callbackEvents.state, "delivering"), lt(callbackEvents.leaseUntil, now)),
          ),
        ),
      )
      .returning(),
    // Single-table reads: a D1 batch maps rows by position, which same-named columns of joined
    // tables (id, tenant_id, created_at) would shift.
    db.select().from(callbacks).where(sql`${callbacks.id} = (SELECT callback_id FROM callback_events WHERE id = ${eventId} AND lease_token = ${token}) AND ${callbacks.tenantId} = (SELECT tenant_id FROM callback_events WHERE id = ${eventId})`),
    db
      .select({
        recipient: messages.recipient,
        channel: messages.channel,
        messageCreatedAt: messages.createdAt,
        correlationId: notifications.correlationId,
        tags: notifications.tags,
        provider: deliveries.provider,
      })
      .from(messages)
      .innerJoin(notifications, eq(notifications.id, messages.notificationId))
      .leftJoin(deliveries, eq(deliveries.id, messages.deliveryId))
      .where(sql`${messages.id} = (SELECT message_id FROM callback_events WHERE id = ${eventId} AND lease_token = ${token} AND kind = 'message.status')`),
    db
      .select()
      .from(receivedTexts)
      .where(sql`${receivedTexts.id} = (SELECT message_id FROM callback_events WHERE id = ${eventId} AND lease_token = ${token} AND kind = 'received-text')`),
  ]);
  const event = claimed[0];
  if (!event) return null;
  const message = about[0];
  return { token, event, callback: registration[0] ?? null, message: message ?? null, text: texts[0] ?? null };
}

/** One POST of a signed event through the outbound-URL policy, classified. */
async function post(env: Env, row: CallbackRow, event: CallbackEventRow, payload: CallbackPayload | ReceivedTextPayload, now: Date): Promise<AttemptResult> {
  let opened;
  try {
    opened = await openCallback(env.API_KEY_ENCRYPTION_KEY, row, now);
  } catch {
    return { ending: { kind: "failed" }, httpStatus: null, error: "The registration's secret or headers cannot be decrypted (was API_KEY_ENCRYPTION_KEY changed?); rotate its secret and save its headers again", snippet: null };
  }
  const body = JSON.stringify(payload);
  const headers = new Headers(opened.headers);
  headers.set("content-type", "application/json");
  headers.set("user-agent", "edge-notify-callbacks/1");
  headers.set("webhook-id", event.id);
  headers.set("webhook-timestamp", String(Math.floor(now.getTime() / 1000)));
  headers.set("webhook-signature", signatures(opened.secrets, event.id, now, body));
  const policy = outboundPolicy(env, { timeoutMs: callbackTimeoutMs(env), maxResponseBytes: RESPONSE_SNIPPET_BYTES });
  try {
    const res = await outboundFetch(row.url, { method: "POST", headers, body }, policy);
    const snippet = res.text.length > 0 ? res.text.slice(0, RESPONSE_SNIPPET_BYTES) : null;
    const base = { httpStatus: res.status, snippet };
    if (res.ok) return { ...base, ending: { kind: "delivered" }, error: null };
    if (res.status === 410) return { ...base, ending: { kind: "gone" }, error: "The receiver answered 410 Gone: the registration was switched off" };
    if (res.status === 429 || res.status >= 500) return { ...base, ending: { kind: "retry", retryAfter: retryAfterSeconds(res.headers.get("retry-after"), now) }, error: `HTTP ${res.status}` };
    return { ...base, ending: { kind: "failed" }, error: `HTTP ${res.status}: the receiver refused the event; not retried` };
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    // refused (the policy, checked again at each delivery) and redirected will not mend by retrying.
    const retry = err.failure === "network" || err.failure === "timeout" || err.failure === "not_sent";
    return { ending: retry ? { kind: "retry" } : { kind: "failed" }, httpStatus: err.status ?? null, error: err.failure === "refused" ? `URL refused: ${err.message}` : err.failure === "timeout" ? "timeout" : err.message, snippet: null };
  }
}

/**
 * One attempt of one outbox event (the notify-events consumer): claim it, POST it signed per
 * Standard Webhooks (`webhook-id` is the event id, stable across retries and replays), record the
 * attempt, and decide: delivered on 2xx; on a network error, timeout, 5xx or 429 the next attempt
 * of the schedule (services/callbacks/schedule.ts) is enqueued with its delay, and after the last
 * the event is `failed`; 410 Gone switches the registration off (reason recorded) and fails the
 * event; any other answer fails it at once. An event that is not due, already settled, or held by
 * another consumer is left alone. Returns what happened, for logs and tests.
 *
 * @example
 * ```ts
 * await deliverCallbackEvent(db, env, "evt_5f0c…"); // "delivered"
 * ```
 */
export async function deliverCallbackEvent(db: Db, env: Env, eventId: string, now = new Date()): Promise<"skipped" | "delivered" | "retrying" | "failed"> {
  const claimed = await claim(db, env, eventId, now);
  if (!claimed) return "skipped";
  const { event, callback, token, message, text } = claimed;
  const attempt = event.attempts;
  const started = Date.now();
  let result: AttemptResult;
  const payload = event.kind === "received-text" ? (text ? receivedTextPayload(text) : null) : message ? callbackPayload({ event, ...message }) : null;
  if (!payload) {
    const gone = event.kind === "received-text" ? "The received text no longer exists (deleted after its retention)" : "The message no longer exists";
    result = { ending: { kind: "failed" }, httpStatus: null, error: gone, snippet: null };
  } else if (!callback) result = { ending: { kind: "failed" }, httpStatus: null, error: "The registration was deleted", snippet: null };
  else if (!callback.active) result = { ending: { kind: "failed" }, httpStatus: null, error: `The registration is switched off${callback.disabledReason ? ` (${callback.disabledReason})` : ""}`, snippet: null };
  else result = await post(env, callback, event, payload, now);
  const duration = Date.now() - started;

  const made = attempt - event.seriesStart;
  const delay = result.ending.kind === "retry" ? nextDelaySeconds(made, result.ending.retryAfter) : null;
  const state = result.ending.kind === "delivered" ? "delivered" : delay !== null ? "pending" : "failed";
  const record: CallbackAttemptRow = {
    id: uuidv7(now.getTime()),
    eventId: event.id,
    tenantId: event.tenantId,
    attempt,
    at: now,
    durationMs: duration,
    httpStatus: result.httpStatus,
    error: result.error,
    responseSnippet: result.snippet,
  };
  const held = and(eq(callbackEvents.id, event.id), eq(callbackEvents.leaseToken, token));
  const nextAt = new Date(now.getTime() + (delay ?? 0) * 1000);
  await db.batch([
    // Only while the claim is still ours: a lease that ran out may have been taken by another copy.
    db.insert(callbackAttempts).select(
      db
        .select({
          id: sql`${record.id}`.as("id"),
          eventId: sql`${record.eventId}`.as("event_id"),
          tenantId: sql`${record.tenantId}`.as("tenant_id"),
          attempt: sql`${record.attempt}`.as("attempt"),
          at: sql`${record.at.getTime()}`.as("at"),
          durationMs: sql`${record.durationMs}`.as("duration_ms"),
          httpStatus: sql`${record.httpStatus}`.as("http_status"),
          error: sql`${record.error}`.as("error"),
          responseSnippet: sql`${record.responseSnippet}`.as("response_snippet"),
        })
        .from(callbackEvents)
        .where(held),
    ),
    ...(result.ending.kind === "gone" && callback
      ? [
          db
            .update(callbacks)
            .set({ active: false, disabledReason: `The receiver answered 410 Gone on ${now.toISOString()} (event ${event.id})`, updatedAt: now })
            // Behind the same lease (so before the event's update releases it): a copy whose claim ran
            // out does not switch the registration off.
            .where(and(eq(callbacks.id, callback.id), sql`EXISTS (SELECT 1 FROM callback_events WHERE id = ${event.id} AND lease_token = ${token})`)),
        ]
      : []),
    db
      .update(callbackEvents)
      .set({ state, nextAttemptAt: nextAt, leaseToken: null, leaseUntil: null, updatedAt: new Date() })
      .where(held),
  ]);
  log(state === "failed" ? "warn" : "info", "status callback attempt", {
    eventId: event.id,
    kind: event.kind,
    callbackId: event.callbackId,
    tenantId: event.tenantId,
    attempt,
    httpStatus: result.httpStatus,
    error: result.error,
    state,
    durationMs: duration,
  });
  if (state === "pending") await enqueueCallbackEvents(env, [event.id], delay!);
  return state === "pending" ? "retrying" : state;
}
