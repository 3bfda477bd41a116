import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type OutcomeStatus, ProviderError, type SendOutcome } from "../../channels/types";
import type { Db } from "../../db/client";
import { deliveries, type DeliveryError, type DeliveryRow, type MessageStatus, messages } from "../../db/schema";
import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { log } from "../../lib/log";
import { failoverOrder } from "../../channels/provider-list";
import { askPermits, reportOutcomes } from "../circuits/circuits";
import { ServiceCallError } from "../tenant-services/call";
import { MissingAttachmentError } from "./adapter-message";
import { type AttemptRecord, attemptRecord, insertAttempts } from "./attempts";
import { deliveryLeaseMs, prepareCall, providerTimeoutMs } from "./call-provider";
import { type Choice, chooseProviders, circuitReport, permitRequests, usesCircuits } from "./provider-choice";
import { type CallItem, type TimedResult, runCalls } from "./run-calls";
import { countMove } from "./notification-status";
import { callbackEvents, eventIdsOf } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";
import { applyEarlyReceipts, type EarlyReceiptRead, earlyReceiptsFor } from "../receipts/early";

/** Provider attempts per delivery before it is a technical failure. */
export const MAX_ATTEMPTS = 5;

/** Message ids per statement: D1 binds at most 100 parameters. */
const IDS_PER_STATEMENT = 90;

/** What the queue consumer should do with the message it got. */
/**
 * What the queue consumer should do with a delivery's message: acknowledge it, retry it (the
 * queue counts this against its max_retries), or `requeue` it as a new message after a delay —
 * for waits that are not failures (every circuit open), which must not use up the redeliveries
 * that would otherwise dead-letter a delivery no provider was ever asked to take.
 */
export type Disposition = { action: "ack" } | { action: "retry"; delaySeconds: number } | { action: "requeue"; delaySeconds: number };

const TERMINAL: ReadonlySet<MessageStatus> = new Set(["delivered", "permanent-failure", "temporary-failure", "technical-failure", "cancelled"]);

/**
 * The longest a retry waits, whatever a provider or receiver asks in Retry-After: a chat target
 * answering `Retry-After: 99999999` would otherwise park a message in `sending` for years (and
 * Queues refuse delays over 12 hours). After MAX_ATTEMPTS the message ends as a technical failure.
 */
export const MAX_RETRY_DELAY_SECONDS = 3600;

/**
 * Delay before an attempt with the next provider of a delivery's list: soon, since a different
 * provider is not the one that just failed. Going round to the start of the list again waits the
 * usual backoff instead, so a delivery whose every provider fails does not spend its attempts in seconds.
 */
export const FAILOVER_DELAY_SECONDS = 1;

/**
 * Delay before attempt `attempt + 1`: exponential from 15 s, capped at 10 minutes, with jitter so
 * a provider outage is not followed by a thundering herd; no sooner than the provider asked, up
 * to MAX_RETRY_DELAY_SECONDS.
 */
export function retryDelaySeconds(attempt: number, retryAfter?: number): number {
  const base = Math.min(15 * 2 ** Math.max(0, attempt - 1), 600);
  const jittered = Math.round(base * (0.8 + Math.random() * 0.4));
  const asked = Number.isFinite(retryAfter) ? Math.max(0, retryAfter!) : 0;
  return Math.min(Math.max(jittered, asked), MAX_RETRY_DELAY_SECONDS);
}

/** Delivery ids per statement: D1 binds at most 100 parameters, a few go to the rest of the statement. */
const IDS_PER_CLAIM = 90;

/**
 * Takes deliveries for one attempt, all of a queue batch in one D1 round trip. The conditional
 * UPDATE is the duplicate-delivery guard: only a delivery waiting to be sent (`queued` or
 * `retry_wait`) can be claimed, so a queue message delivered twice finds the second copy refused
 * and never makes a second provider call. One lease token marks everything this batch took.
 */
async function claimAll(db: Db, env: Env, deliveryIds: string[], now: Date): Promise<DeliveryRow[]> {
  const token = crypto.randomUUID();
  const statements: BatchItem<"sqlite">[] = [];
  const parts = chunk([...new Set(deliveryIds)], IDS_PER_CLAIM);
  for (const ids of parts) {
    // Only the claim that took the lease moves the messages (and their counts) to sending.
    const waiting = and(
      inArray(messages.deliveryId, ids),
      eq(messages.status, "created"),
      sql`EXISTS (SELECT 1 FROM deliveries WHERE id = ${messages.deliveryId} AND lease_token = ${token})`,
    );
    statements.push(
      db
        .update(deliveries)
        .set({
          state: "in_flight",
          attempts: sql`${deliveries.attempts} + 1`,
          leaseUntil: new Date(now.getTime() + deliveryLeaseMs(env)),
          leaseToken: token,
          updatedAt: now,
        })
        .where(and(inArray(deliveries.id, ids), inArray(deliveries.state, ["queued", "retry_wait"])))
        .returning(),
      countMove(db, waiting, "sending", now),
      callbackEvents(db, waiting, "sending", now),
      db.update(messages).set({ status: "sending", updatedAt: now }).where(waiting),
    );
  }
  if (statements.length === 0) return [];
  const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await enqueueCallbackEvents(env, parts.flatMap((_, i) => eventIdsOf(results[i * 4 + 2])));
  return parts.flatMap((_, i) => results[i * 4] as DeliveryRow[]);
}

function errorFrom(code: string, message: string, retryable: boolean, now: Date, err?: ProviderError): DeliveryError {
  return {
    code,
    message,
    retryable,
    at: now.toISOString(),
    ...(err ? { provider: err.provider } : {}),
    ...(err?.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
    ...(err?.providerCode !== undefined ? { providerCode: err.providerCode } : {}),
  };
}

/** How an attempt ends for one delivery: what to write, and what the queue should do. */
interface Settlement {
  delivery: DeliveryRow;
  /** `retry_wait` without message updates: released before any call (nothing was sent). */
  state: "done" | "retry_wait";
  /** The delivery's provider from now on: the one this attempt used, or the next of its list. */
  provider: string;
  providerMessageId?: string;
  lastError: DeliveryError | null;
  /** Each recipient's status; absent when the messages stay as they are. */
  statusFor?: (recipient: string) => { status: MessageStatus; error: DeliveryError | null };
  disposition: Disposition;
  /** No provider was asked (every circuit open): the attempt the claim counted is given back. */
  refund?: boolean;
  attempt: AttemptRecord;
}

/**
 * Writes the end of a batch's attempts, only for deliveries whose lease is still ours (one whose
 * lease expired may have been settled by the sweep): one D1 round trip to read their message
 * rows, one batch to write. Messages with the same outcome are updated together, each UPDATE after
 * the statement that moves its rows in their notifications' counts.
 */
async function settleAll(db: Db, env: Env, settlements: Settlement[], now: Date): Promise<void> {
  if (settlements.length === 0) return;
  const withMessages = settlements.filter((s) => s.statusFor);
  const reads = chunk(withMessages.map((s) => s.delivery.id), IDS_PER_STATEMENT).map((ids) =>
    db.select({ id: messages.id, deliveryId: messages.deliveryId, recipient: messages.recipient }).from(messages).where(inArray(messages.deliveryId, ids)),
  );
  const rows = reads.length === 0 ? [] : ((await db.batch(reads as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as { id: string; deliveryId: string; recipient: string }[][]).flat();
  const byDelivery = new Map(withMessages.map((s) => [s.delivery.id, s]));
  const outcomes = new Map<string, { status: MessageStatus; error: DeliveryError | null; sent: boolean; ids: string[] }>();
  for (const row of rows) {
    const s = byDelivery.get(row.deliveryId)!;
    const { status, error } = s.statusFor!(row.recipient);
    const sent = status !== "sending" || s.providerMessageId !== undefined;
    const key = JSON.stringify([status, error, sent]);
    const outcome = outcomes.get(key) ?? { status, error, sent, ids: [] };
    outcome.ids.push(row.id);
    outcomes.set(key, outcome);
  }
  // Every delivery of this batch is held under the same token, the claim's. Ids travel as one JSON
  // parameter (json_each), so an outcome shared by a whole batch is two statements, not one per 90 ids.
  const token = settlements[0]!.delivery.leaseToken;
  const held = sql`EXISTS (SELECT 1 FROM deliveries WHERE id = ${messages.deliveryId} AND lease_token = ${token})`;
  const statements: BatchItem<"sqlite">[] = [...outcomes.values()].flatMap((o) => {
    const where = and(sql`${messages.id} IN (SELECT value FROM json_each(${JSON.stringify(o.ids)}))`, held);
    return [
      countMove(db, where, o.status, now),
      callbackEvents(db, where, o.status, now, o.error ?? undefined),
      db
        .update(messages)
        .set({ status: o.status, error: o.error, updatedAt: now, ...(o.sent ? { sentAt: now } : {}), ...(TERMINAL.has(o.status) ? { completedAt: now } : {}) })
        .where(where),
    ];
  });
  // Every attempt in one INSERT, before the UPDATEs below release the lease it is conditional on.
  statements.push(...insertAttempts(db, settlements.map((s) => s.attempt), { leaseToken: token! }));
  // Deliveries ending alike (state and error) are one UPDATE; each keeps its own provider, provider
  // message id and attempt count, read from one JSON map (m: message id, p: provider, r: refund).
  const ends = new Map<string, { state: Settlement["state"]; lastError: DeliveryError | null; ids: Record<string, { m: string | null; p: string; r: 0 | 1 }> }>();
  for (const s of settlements) {
    const key = JSON.stringify([s.state, s.lastError]);
    const end = ends.get(key) ?? { state: s.state, lastError: s.lastError, ids: {} };
    end.ids[s.delivery.id] = { m: s.providerMessageId ?? null, p: s.provider, r: s.refund ? 1 : 0 };
    ends.set(key, end);
  }
  for (const end of ends.values()) {
    const ids = JSON.stringify(end.ids);
    const field = (name: "m" | "p" | "r") => sql`json_extract(${ids}, '$."' || ${deliveries.id} || '".${sql.raw(name)}')`;
    statements.push(
      db
        .update(deliveries)
        .set({
          state: end.state,
          provider: sql`COALESCE(${field("p")}, ${deliveries.provider})`,
          providerMessageId: sql`COALESCE(${field("m")}, ${deliveries.providerMessageId})`,
          attempts: sql`${deliveries.attempts} - COALESCE(${field("r")}, 0)`,
          lastError: end.lastError,
          leaseUntil: null,
          leaseToken: null,
          updatedAt: now,
        })
        .where(and(sql`${deliveries.id} IN (SELECT key FROM json_each(${ids}))`, eq(deliveries.leaseToken, token!))),
    );
  }
  // Receipts that came before these provider message ids were written, read with them (last).
  const early = earlyReceiptsFor(db, env, settlements.filter((s) => s.state === "done"));
  if (early) statements.push(early);
  const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  // Each outcome wrote three statements, its callback events second.
  await enqueueCallbackEvents(env, [...outcomes.keys()].flatMap((_, i) => eventIdsOf(results[i * 3 + 1])));
  const found = early ? (results.at(-1) as EarlyReceiptRead[]) : [];
  if (found.length > 0) await applyEarlyReceipts(env, found);
}

function outcomeStatus(outcome: SendOutcome, recipient: string): OutcomeStatus {
  return outcome.recipientStatuses?.[recipient] ?? outcome.recipientStatuses?.[recipient.toLowerCase()] ?? outcome.status;
}

/** An attempt that made no call, started and ended at `at`. */
function noCall(delivery: DeliveryRow, provider: string, outcome: "skipped" | "not_sent", error: DeliveryError | null, at: Date): AttemptRecord {
  return attemptRecord(delivery, provider, { startedAt: at.getTime(), endedAt: at.getTime(), outcome, errorCode: error?.code ?? null, errorMessage: error?.message ?? null });
}

/** The settlement of a delivery whose call could not even be prepared. */
function preparationFailure(delivery: DeliveryRow, provider: string, err: unknown, at: Date): Settlement {
  if (err instanceof MissingAttachmentError) {
    const error = errorFrom("attachment_missing", err.message, false, at);
    return finalFailure(delivery, provider, "technical-failure", error, noCall(delivery, provider, "not_sent", error, at));
  }
  if (err instanceof ServiceCallError) return serviceFailure(delivery, provider, err, at);
  // Nothing was sent (R2 or D1 failing, or a bug before the call): put it back and retry.
  log("error", "delivery attempt failed before reaching the provider", { deliveryId: delivery.id, error: String(err) });
  return {
    delivery,
    state: "retry_wait",
    provider,
    lastError: delivery.lastError,
    disposition: { action: "retry", delaySeconds: retryDelaySeconds(delivery.attempts) },
    attempt: attemptRecord(delivery, provider, { startedAt: at.getTime(), endedAt: at.getTime(), outcome: "not_sent", errorCode: "internal_error", errorMessage: "The message could not be prepared; nothing was sent" }),
  };
}

/**
 * A delivery none of whose providers may be called now (every circuit open): no call, back to the
 * queue until the earliest of its circuits may let a call through, its attempt given back.
 */
function skippedSettlement(delivery: DeliveryRow, choice: Extract<Choice, { skipped: true }>, now: Date): Settlement {
  const order = failoverOrder(delivery.providers, delivery.provider);
  const error = errorFrom(
    "providers_unavailable",
    `Every provider's circuit is open (${order.join(", ")}): not sent, to be tried again when one may be called`,
    true,
    now,
  );
  const wait = choice.retryAt === null ? retryDelaySeconds(delivery.attempts) : Math.ceil((choice.retryAt - now.getTime()) / 1000);
  // A little spread, so the deliveries an outage held back do not all come back in the same second.
  const delaySeconds = Math.min(Math.max(1, wait) + Math.floor(Math.random() * 3), MAX_RETRY_DELAY_SECONDS);
  return {
    delivery,
    state: "retry_wait",
    provider: delivery.provider,
    lastError: error,
    statusFor: () => ({ status: "sending", error }),
    disposition: { action: "requeue", delaySeconds },
    refund: true,
    attempt: noCall(delivery, choice.provider, "skipped", error, now),
  };
}

/** The settlement of a provider call's result. */
function callSettlement(delivery: DeliveryRow, provider: string, result: TimedResult, at: Date): Settlement {
  const timing = { startedAt: result.startedAt, endedAt: result.endedAt };
  if (!result.ok) {
    if (result.error instanceof ProviderError) return providerFailure(delivery, provider, result.error, at, timing);
    // The adapter failed in a way it does not describe, possibly after the provider took the
    // message: treat it like a lost answer rather than risk a second send.
    log("error", "provider call failed without a provider answer", { deliveryId: delivery.id, error: String(result.error) });
    const unknown = new ProviderError(provider, "unknown", `${provider}: the call failed unexpectedly; the provider may have accepted it`, { cause: result.error });
    return providerFailure(delivery, provider, unknown, at, timing);
  }
  const { outcome } = result;
  return {
    delivery,
    state: "done",
    provider,
    providerMessageId: outcome.providerMessageId,
    lastError: null,
    statusFor: (recipient) => {
      const status = outcomeStatus(outcome, recipient);
      const error =
        status === "temporary-failure" || status === "permanent-failure"
          ? errorFrom(status === "temporary-failure" ? "temporary_failure" : "permanent_failure", `The provider reported ${status}`, false, at)
          : null;
      return { status, error };
    },
    disposition: { action: "ack" },
    attempt: attemptRecord(delivery, provider, { ...timing, outcome: "accepted", providerMessageId: outcome.providerMessageId ?? null }),
  };
}

/**
 * A batch of deliver-queue messages: claim their deliveries in one round trip, choose each one's
 * provider (its current one, or the next of its list whose circuit lets a call through: one call
 * to the circuit object for the whole batch), prepare each provider call, make the calls
 * (provider batch APIs where they apply, at most CALL_CONCURRENCY at once), record every outcome
 * and attempt in one batch while telling the circuit object how the calls went, and say for each
 * delivery whether the queue should retry it. Provider faults are recorded on the rows;
 * infrastructure faults before a provider was called release the claim and retry. A delivery not
 * claimed (settled, cancelled, or taken by another copy of its message) is acknowledged. Test keys
 * and chat targets never touch circuits.
 */
export async function processDeliveries(db: Db, env: Env, deliveryIds: string[], now = new Date()): Promise<Map<string, Disposition>> {
  const dispositions = new Map<string, Disposition>(deliveryIds.map((id) => [id, { action: "ack" }]));
  const claimed = await claimAll(db, env, deliveryIds, now);
  if (claimed.length === 0) return dispositions;

  const guarded = claimed.filter(usesCircuits);
  const permits = guarded.length > 0 ? await askPermits(env, permitRequests(guarded), now.getTime()) : new Map();
  const choices = chooseProviders(guarded, permits);

  const settlements: Settlement[] = [];
  const items: CallItem[] = [];
  const providerOf = new Map<string, string>();
  const prepared = await Promise.all(
    claimed.map(async (delivery) => {
      const choice = choices.get(delivery.id) ?? { provider: delivery.provider };
      if ("skipped" in choice) return { delivery, failure: skippedSettlement(delivery, choice, now) };
      providerOf.set(delivery.id, choice.provider);
      try {
        return { delivery, call: await prepareCall(env, delivery, choice.provider) };
      } catch (err) {
        return { delivery, failure: preparationFailure(delivery, choice.provider, err, new Date()) };
      }
    }),
  );
  for (const p of prepared) {
    if ("failure" in p) settlements.push(p.failure!);
    else items.push({ deliveryId: p.delivery.id, group: p.delivery.notificationId, call: p.call });
  }
  const results = await runCalls(items, providerTimeoutMs(env));
  const at = new Date();
  const byId = new Map(claimed.map((d) => [d.id, d]));
  for (const item of items) settlements.push(callSettlement(byId.get(item.deliveryId)!, providerOf.get(item.deliveryId)!, results.get(item.deliveryId)!, at));
  const calls = items.filter((i) => usesCircuits(byId.get(i.deliveryId)!)).map((i) => ({ provider: providerOf.get(i.deliveryId)!, result: results.get(i.deliveryId)! }));
  const report = guarded.length > 0 ? circuitReport(calls, permits) : [];
  await Promise.all([settleAll(db, env, settlements, at), reportOutcomes(env, report, at.getTime())]);
  for (const s of settlements) dispositions.set(s.delivery.id, s.disposition);
  return dispositions;
}

/** The end of a delivery that failed for good: every recipient in `status`, carrying `error`. */
function finalFailure(delivery: DeliveryRow, provider: string, status: MessageStatus, error: DeliveryError, attempt: AttemptRecord): Settlement {
  return { delivery, state: "done", provider, lastError: error, statusFor: () => ({ status, error }), disposition: { action: "ack" }, attempt };
}

/** Back to the queue for another attempt (with `provider`): the messages stay `sending`, carrying why. */
function retryLater(delivery: DeliveryRow, provider: string, error: DeliveryError, delaySeconds: number, attempt: AttemptRecord): Settlement {
  return {
    delivery,
    state: "retry_wait",
    provider,
    lastError: error,
    statusFor: () => ({ status: "sending", error }),
    disposition: { action: "retry", delaySeconds },
    attempt,
  };
}

/**
 * Where a delivery goes after `provider` failed with `err`, or null to stay with it. Only a
 * retryable failure of a provider that cannot have taken the message fails over: a refusal
 * (permanent), our own configuration and a lost answer (unknown, or a timeout a provider
 * de-duplicates by our key) never do, since another provider could deliver a second copy.
 */
function failoverTarget(delivery: DeliveryRow, provider: string, err: ProviderError): { next: string; wraps: boolean } | null {
  if (err.kind !== "retryable" || err.mayHaveAccepted) return null;
  const order = failoverOrder(delivery.providers, provider);
  if (order.length < 2) return null;
  const list = delivery.providers ?? [];
  return { next: order[1]!, wraps: list.indexOf(order[1]!) <= list.indexOf(provider) };
}

function providerFailure(delivery: DeliveryRow, provider: string, err: ProviderError, at: Date, timing: { startedAt: number; endedAt: number }): Settlement {
  const attempt = (code: string | null) =>
    attemptRecord(delivery, provider, { ...timing, outcome: err.kind, httpStatus: err.httpStatus ?? null, errorCode: code, errorMessage: err.message });
  if (err.kind === "retryable" && delivery.attempts < MAX_ATTEMPTS) {
    const failover = failoverTarget(delivery, provider, err);
    const message = failover ? `${err.message}; next attempt with ${failover.next}` : err.message;
    const error = errorFrom("provider_unavailable", message, true, at, err);
    // Another provider owes nothing to this one's Retry-After; going round to the start of the list again does.
    const delaySeconds = failover && !failover.wraps ? FAILOVER_DELAY_SECONDS : retryDelaySeconds(delivery.attempts, failover ? undefined : err.retryAfterSeconds);
    return retryLater(delivery, failover?.next ?? provider, error, delaySeconds, attempt(error.code));
  }
  const [kindCode, status]: [string, MessageStatus] =
    err.kind === "permanent"
      ? ["provider_rejected", "permanent-failure"]
      : err.kind === "configuration"
        ? ["provider_misconfigured", "technical-failure"]
        : err.kind === "unknown"
          ? ["outcome_unknown", "technical-failure"]
          : ["provider_unavailable", "technical-failure"];
  const message =
    err.kind === "retryable"
      ? `${err.message} (gave up after ${delivery.attempts} attempts)`
      : err.kind === "unknown"
        ? `${err.message}; not resent to avoid a duplicate`
        : err.message;
  const error = errorFrom(err.errorCode ?? kindCode, message, false, at, err);
  return finalFailure(delivery, provider, status, error, attempt(error.code));
}

/**
 * An attachment service failed before the provider was called, so nothing was sent: a failure a
 * retry may help (no answer, 5xx, 429) goes back to the queue like a provider outage, up to
 * MAX_ATTEMPTS (honouring Retry-After); any other, or the last attempt, ends the delivery as
 * `technical-failure`. The error names the service and says whether a retry may help: code
 * `attachment_service_unavailable` (retryable: true, sending again later may succeed) or
 * `attachment_service_failed` (retryable: false, the service or its answer must be fixed).
 */
function serviceFailure(delivery: DeliveryRow, provider: string, err: ServiceCallError, at: Date): Settlement {
  const code = err.retryable ? "attachment_service_unavailable" : "attachment_service_failed";
  const base = { code, retryable: err.retryable, at: at.toISOString(), ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}) };
  if (err.retryable && delivery.attempts < MAX_ATTEMPTS) {
    const error = { ...base, message: err.summary };
    return retryLater(delivery, provider, error, retryDelaySeconds(delivery.attempts, err.retryAfterSeconds), noCall(delivery, provider, "not_sent", error, at));
  }
  const error: DeliveryError = { ...base, message: err.retryable ? `${err.summary}; gave up after ${delivery.attempts} attempts` : err.summary };
  return finalFailure(delivery, provider, "technical-failure", error, noCall(delivery, provider, "not_sent", error, at));
}

/**
 * For messages the queue gave up on (dead-letter queue): whatever is not settled becomes a
 * technical failure, so it is visible and reported instead of silently lost.
 */
export async function failUndeliverable(db: Db, env: Env, deliveryId: string, reason: string, now = new Date()): Promise<void> {
  const delivery = await db.query.deliveries.findFirst({ where: eq(deliveries.id, deliveryId) });
  if (!delivery || delivery.state === "done" || delivery.state === "cancelled") return;
  const error = errorFrom("dead_lettered", reason, false, now);
  const unsettled = and(eq(messages.deliveryId, deliveryId), inArray(messages.status, ["created", "sending", "scheduled"]));
  const [, emitted] = await db.batch([
    countMove(db, unsettled, "technical-failure", now),
    callbackEvents(db, unsettled, "technical-failure", now, error),
    db.update(messages).set({ status: "technical-failure", error, updatedAt: now, completedAt: now }).where(unsettled),
    db
      .update(deliveries)
      .set({ state: "done", lastError: error, leaseUntil: null, leaseToken: null, updatedAt: now })
      .where(and(eq(deliveries.id, deliveryId), inArray(deliveries.state, ["queued", "retry_wait", "in_flight", "scheduled"]))),
  ]);
  await enqueueCallbackEvents(env, eventIdsOf(emitted));
}
