import { and, eq, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type OutcomeStatus, ProviderError, type SendOutcome } from "../../channels/types";
import type { Db } from "../../db/client";
import { deliveries, type DeliveryError, type DeliveryRow, type MessageStatus, messages } from "../../db/schema";
import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { log } from "../../lib/log";
import { ServiceCallError } from "../tenant-services/call";
import { MissingAttachmentError } from "./adapter-message";
import { type PreparedCall, prepareCall, providerTimeoutMs } from "./call-provider";
import { countMove } from "./notification-status";

/** Provider attempts per delivery before it is a technical failure. */
export const MAX_ATTEMPTS = 5;

/** Message ids per statement: D1 binds at most 100 parameters. */
const IDS_PER_STATEMENT = 90;

/** What the queue consumer should do with the message it got. */
export type Disposition = { action: "ack" } | { action: "retry"; delaySeconds: number };

const TERMINAL: ReadonlySet<MessageStatus> = new Set(["delivered", "permanent-failure", "temporary-failure", "technical-failure", "cancelled"]);

/**
 * The longest a retry waits, whatever a provider or receiver asks in Retry-After: a chat target
 * answering `Retry-After: 99999999` would otherwise park a message in `sending` for years (and
 * Queues refuse delays over 12 hours). After MAX_ATTEMPTS the message ends as a technical failure.
 */
export const MAX_RETRY_DELAY_SECONDS = 3600;

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

function leaseMs(env: Env): number {
  return providerTimeoutMs(env) * 2 + 30_000;
}

/**
 * Takes a delivery for one attempt. The conditional UPDATE is the duplicate-delivery guard: only
 * a delivery waiting to be sent (`queued` or `retry_wait`) can be claimed, so a queue message
 * delivered twice finds the second copy refused and never makes a second provider call.
 */
async function claim(db: Db, env: Env, deliveryId: string, now: Date): Promise<DeliveryRow | null> {
  const token = crypto.randomUUID();
  // Only the claim that took the lease moves the messages (and their counts) to sending.
  const waiting = and(
    eq(messages.deliveryId, deliveryId),
    eq(messages.status, "created"),
    sql`EXISTS (SELECT 1 FROM deliveries WHERE id = ${deliveryId} AND lease_token = ${token})`,
  );
  const [claimed] = await db.batch([
    db
      .update(deliveries)
      .set({
        state: "in_flight",
        attempts: sql`${deliveries.attempts} + 1`,
        leaseUntil: new Date(now.getTime() + leaseMs(env)),
        leaseToken: token,
        updatedAt: now,
      })
      .where(and(eq(deliveries.id, deliveryId), inArray(deliveries.state, ["queued", "retry_wait"])))
      .returning(),
    countMove(db, waiting, "sending", now),
    db.update(messages).set({ status: "sending", updatedAt: now }).where(waiting),
  ]);
  return claimed[0] ?? null;
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

/**
 * Writes the end of an attempt, only while we still hold the lease (a delivery whose lease
 * expired may have been settled by the sweep). `statuses` maps each recipient to its status.
 */
async function settle(
  db: Db,
  delivery: DeliveryRow,
  now: Date,
  result: {
    state: "done" | "retry_wait";
    providerMessageId?: string;
    lastError: DeliveryError | null;
    statusFor: (recipient: string) => { status: MessageStatus; error: DeliveryError | null };
  },
): Promise<void> {
  const rows = await db.select({ id: messages.id, recipient: messages.recipient }).from(messages).where(eq(messages.deliveryId, delivery.id));
  const held = sql`EXISTS (SELECT 1 FROM deliveries WHERE id = ${delivery.id} AND lease_token = ${delivery.leaseToken})`;
  // One UPDATE per distinct outcome rather than per recipient (an email to 50 addresses is
  // usually one), each after the statement that moves its rows in the notification's counts.
  const outcomes = new Map<string, { status: MessageStatus; error: DeliveryError | null; ids: string[] }>();
  for (const row of rows) {
    const { status, error } = result.statusFor(row.recipient);
    const key = JSON.stringify([status, error]);
    const outcome = outcomes.get(key) ?? { status, error, ids: [] };
    outcome.ids.push(row.id);
    outcomes.set(key, outcome);
  }
  const groups = [...outcomes.values()].flatMap((o) => chunk(o.ids, IDS_PER_STATEMENT).map((ids) => ({ ...o, ids })));
  const messageUpdates = groups.flatMap(({ status, error, ids }) => {
    const where = and(inArray(messages.id, ids), held);
    return [
      countMove(db, where, status, now),
      db
        .update(messages)
        .set({
          status,
          error,
          updatedAt: now,
          ...(status !== "sending" || result.providerMessageId ? { sentAt: now } : {}),
          ...(TERMINAL.has(status) ? { completedAt: now } : {}),
        })
        .where(where),
    ];
  });
  const statements: BatchItem<"sqlite">[] = [
    ...messageUpdates,
    db
      .update(deliveries)
      .set({
        state: result.state,
        providerMessageId: result.providerMessageId ?? delivery.providerMessageId,
        lastError: result.lastError,
        leaseUntil: null,
        leaseToken: null,
        updatedAt: now,
      })
      .where(and(eq(deliveries.id, delivery.id), eq(deliveries.leaseToken, delivery.leaseToken!))),
  ];
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
}

function outcomeStatus(outcome: SendOutcome, recipient: string): OutcomeStatus {
  return outcome.recipientStatuses?.[recipient] ?? outcome.recipientStatuses?.[recipient.toLowerCase()] ?? outcome.status;
}

/**
 * One queue message: claim the delivery, call the provider, record what happened, and say
 * whether the queue should retry. Provider faults are recorded on the rows; infrastructure
 * faults before the provider was called release the claim and retry.
 */
export async function processDelivery(db: Db, env: Env, deliveryId: string, now = new Date()): Promise<Disposition> {
  const delivery = await claim(db, env, deliveryId, now);
  if (!delivery) return { action: "ack" };

  let call: PreparedCall;
  try {
    call = await prepareCall(env, delivery);
  } catch (err) {
    const at = new Date();
    if (err instanceof MissingAttachmentError) {
      const error = errorFrom("attachment_missing", err.message, false, at);
      await settle(db, delivery, at, { state: "done", lastError: error, statusFor: () => ({ status: "technical-failure", error }) });
      return { action: "ack" };
    }
    if (err instanceof ServiceCallError) return settleServiceFailure(db, delivery, err, at);
    // Nothing was sent (R2 or D1 failing, or a bug before the call): put it back and retry.
    log("error", "delivery attempt failed before reaching the provider", { deliveryId, error: String(err) });
    await db
      .update(deliveries)
      .set({ state: "retry_wait", leaseUntil: null, leaseToken: null, updatedAt: at })
      .where(and(eq(deliveries.id, delivery.id), eq(deliveries.leaseToken, delivery.leaseToken!)));
    return { action: "retry", delaySeconds: retryDelaySeconds(delivery.attempts) };
  }

  let outcome: SendOutcome;
  try {
    outcome = await call.send(AbortSignal.timeout(providerTimeoutMs(env)));
  } catch (err) {
    if (err instanceof ProviderError) return settleFailure(db, delivery, err, new Date());
    // The adapter failed in a way it does not describe, possibly after the provider took the
    // message: treat it like a lost answer rather than risk a second send.
    log("error", "provider call failed without a provider answer", { deliveryId, error: String(err) });
    return settleFailure(db, delivery, new ProviderError(delivery.provider, "unknown", `${delivery.provider}: the call failed unexpectedly; the provider may have accepted it`, { cause: err }), new Date());
  }

  const at = new Date();
  await settle(db, delivery, at, {
    state: "done",
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
  });
  return { action: "ack" };
}

async function settleFailure(db: Db, delivery: DeliveryRow, err: ProviderError, at: Date): Promise<Disposition> {
  if (err.kind === "retryable" && delivery.attempts < MAX_ATTEMPTS) {
    const error = errorFrom("provider_unavailable", err.message, true, at, err);
    await settle(db, delivery, at, { state: "retry_wait", lastError: error, statusFor: () => ({ status: "sending", error }) });
    return { action: "retry", delaySeconds: retryDelaySeconds(delivery.attempts, err.retryAfterSeconds) };
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
  await settle(db, delivery, at, { state: "done", lastError: error, statusFor: () => ({ status, error }) });
  return { action: "ack" };
}

/**
 * An attachment service failed before the provider was called, so nothing was sent: a failure a
 * retry may help (no answer, 5xx, 429) goes back to the queue like a provider outage, up to
 * MAX_ATTEMPTS (honouring Retry-After); any other, or the last attempt, ends the delivery as
 * `technical-failure`. The error names the service and says whether a retry may help: code
 * `attachment_service_unavailable` (retryable: true, sending again later may succeed) or
 * `attachment_service_failed` (retryable: false, the service or its answer must be fixed).
 */
async function settleServiceFailure(db: Db, delivery: DeliveryRow, err: ServiceCallError, at: Date): Promise<Disposition> {
  const code = err.retryable ? "attachment_service_unavailable" : "attachment_service_failed";
  const base = { code, retryable: err.retryable, at: at.toISOString(), ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}) };
  if (err.retryable && delivery.attempts < MAX_ATTEMPTS) {
    const error: DeliveryError = { ...base, message: err.summary };
    await settle(db, delivery, at, { state: "retry_wait", lastError: error, statusFor: () => ({ status: "sending", error }) });
    return { action: "retry", delaySeconds: retryDelaySeconds(delivery.attempts, err.retryAfterSeconds) };
  }
  const error: DeliveryError = { ...base, message: err.retryable ? `${err.summary}; gave up after ${delivery.attempts} attempts` : err.summary };
  await settle(db, delivery, at, { state: "done", lastError: error, statusFor: () => ({ status: "technical-failure", error }) });
  return { action: "ack" };
}

/**
 * For messages the queue gave up on (dead-letter queue): whatever is not settled becomes a
 * technical failure, so it is visible and reported instead of silently lost.
 */
export async function failUndeliverable(db: Db, deliveryId: string, reason: string, now = new Date()): Promise<void> {
  const delivery = await db.query.deliveries.findFirst({ where: eq(deliveries.id, deliveryId) });
  if (!delivery || delivery.state === "done" || delivery.state === "cancelled") return;
  const error = errorFrom("dead_lettered", reason, false, now);
  const unsettled = and(eq(messages.deliveryId, deliveryId), inArray(messages.status, ["created", "sending", "scheduled"]));
  await db.batch([
    countMove(db, unsettled, "technical-failure", now),
    db.update(messages).set({ status: "technical-failure", error, updatedAt: now, completedAt: now }).where(unsettled),
    db
      .update(deliveries)
      .set({ state: "done", lastError: error, leaseUntil: null, leaseToken: null, updatedAt: now })
      .where(and(eq(deliveries.id, deliveryId), inArray(deliveries.state, ["queued", "retry_wait", "in_flight", "scheduled"]))),
  ]);
}
