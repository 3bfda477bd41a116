import { and, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { createDb, type Db } from "../../db/client";
import { type CallbackDetail, deliveries, type DeliveryError, earlyReceipts, type MessageStatus, messages, suppressions } from "../../db/schema";
import type { Env } from "../../env";
import { uuidv7 } from "../../lib/ids";
import { log } from "../../lib/log";
import { callbackDetailOf, callbackEventsEach, eventIdsOf } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";
import { countMove } from "../delivery/notification-status";
import { DEFAULT_REASONS } from "../suppressions/suppressions";
import { type SuppressOn, suppressOnOf } from "./suppress-on";
import { receiptsWired } from "./wired";

/** One delivery receipt, as a provider's webhook adapter (services/receipts/<provider>.ts) reads it. */
export interface Receipt {
  /** Adapter name: "twilio", "ses", "sendgrid", … (deliveries.provider). */
  provider: string;
  /** What the adapter stored as deliveries.provider_message_id. */
  providerMessageId: string;
  /** For multi-recipient emails: which recipient (compared case-insensitively with messages.recipient). */
  recipient?: string;
  status: "sending" | "delivered" | "temporary-failure" | "permanent-failure";
  /** When the provider says it happened. */
  at: Date;
  /** Human-readable, no secrets. */
  detail: string;
  /** The provider's own code (bounce type, error code). */
  providerCode?: string;
  /** A spam complaint / abuse report: suppression per the tenant's `suppressOn.complaint`. */
  complaint?: boolean;
  /** The provider's event id, for de-duplication when there is one. */
  eventId?: string;
}

/** Receipts one call takes: a webhook body is bounded, and so is one D1 batch. */
export const MAX_RECEIPTS_PER_CALL = 500;

const FINAL: ReadonlySet<MessageStatus> = new Set(["delivered", "permanent-failure", "temporary-failure", "technical-failure", "cancelled"]);

/**
 * The statuses a receipt may move a message out of, per status it reports. Receipts only ever
 * move forward: `sending` is interim, everything else is final, and a final status is not
 * replaced, whatever arrives later (a repeat, or an older event delivered out of order), with one
 * exception: an email `delivered` may become `permanent-failure`. A receiving mail server may
 * accept a message (SES/SendGrid/Mailgun/Postmark/Resend then report it delivered) and bounce it
 * afterwards with a delivery status notification, which the provider reports as a bounce after
 * the delivery. An SMS delivery receipt comes from the carrier and is final.
 */
function movableFrom(to: Receipt["status"], channel: string): readonly MessageStatus[] {
  switch (to) {
    case "sending":
      return ["created"];
    case "delivered":
    case "temporary-failure":
      return ["created", "sending"];
    case "permanent-failure":
      return channel === "email" ? ["created", "sending", "delivered"] : ["created", "sending"];
  }
}

interface MatchedMessage {
  id: string;
  tenantId: string;
  channel: string;
  recipient: string;
  status: MessageStatus;
  provider: string;
  providerMessageId: string;
  suppressOn: SuppressOn;
}

const keyOf = (provider: string, providerMessageId: string) => `${provider}\u0000${providerMessageId}`;

/**
 * The messages of every delivery the receipts name, with their tenant's suppression setting, in
 * one statement (the pairs travel as one JSON parameter). Found through
 * deliveries_provider_message_idx, then messages_delivery_idx.
 */
async function readMatches(db: Db, receipts: Receipt[]): Promise<Map<string, MatchedMessage[]>> {
  const pairs = JSON.stringify([...new Map(receipts.map((r) => [keyOf(r.provider, r.providerMessageId), [r.provider, r.providerMessageId]])).values()]);
  const rows = await db.all<{ id: string; tenant_id: string; channel: string; recipient: string; status: MessageStatus; provider: string; pmid: string; settings: string | null }>(sql`
      SELECT m.id, m.tenant_id, m.channel, m.recipient, m.status, d.provider, d.provider_message_id AS pmid, t.settings
      FROM deliveries d
      JOIN messages m ON m.delivery_id = d.id
      JOIN tenants t ON t.id = m.tenant_id
      WHERE d.provider_message_id IN (SELECT json_extract(value, '$[1]') FROM json_each(${pairs}))
        AND (d.provider, d.provider_message_id) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${pairs}))`);
  const byKey = new Map<string, MatchedMessage[]>();
  for (const row of rows) {
    const key = keyOf(row.provider, row.pmid);
    const list = byKey.get(key) ?? [];
    list.push({
      id: row.id,
      tenantId: row.tenant_id,
      channel: row.channel,
      recipient: row.recipient,
      status: row.status,
      provider: row.provider,
      providerMessageId: row.pmid,
      suppressOn: suppressOnOf(row.settings),
    });
    byKey.set(key, list);
  }
  return byKey;
}

/** The same event twice in one call (a provider retrying inside its own batch) is one event. */
function dedupe(receipts: Receipt[]): Receipt[] {
  const seen = new Set<string>();
  return receipts.filter((r) => {
    // One provider event may concern several recipients (an SES bounce lists them): each is its own receipt.
    const key = r.eventId ? JSON.stringify([r.provider, r.eventId, r.recipient?.toLowerCase() ?? null, r.status, r.complaint ?? false]) : JSON.stringify([r.provider, r.providerMessageId, r.recipient?.toLowerCase() ?? null, r.status, r.at.getTime(), r.complaint ?? false]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function errorOf(receipt: Receipt): DeliveryError | null {
  if (receipt.status !== "permanent-failure" && receipt.status !== "temporary-failure") return null;
  return {
    code: receipt.status === "permanent-failure" ? "delivery_failed_permanently" : "delivery_failed_temporarily",
    message: receipt.detail,
    // A temporary failure (full mailbox, phone off) may succeed if sent again later; a permanent one will not.
    retryable: receipt.status === "temporary-failure",
    provider: receipt.provider,
    ...(receipt.providerCode !== undefined ? { providerCode: receipt.providerCode } : {}),
    at: receipt.at.toISOString(),
  };
}

/** Whether this receipt adds its recipient to the tenant's suppression list. */
function suppresses(receipt: Receipt, message: MatchedMessage): boolean {
  if (message.channel !== "email" && message.channel !== "sms") return false;
  if (receipt.complaint) return message.suppressOn.complaint;
  return receipt.status === "permanent-failure" && message.suppressOn.bounce;
}

/** The suppression key of a stored recipient: addresses case-folded, phone numbers are stored in E.164 already. */
const suppressionRecipient = (message: MatchedMessage) => (message.channel === "email" ? message.recipient.toLowerCase() : message.recipient);

/** Statuses a receipt moves to, in the only order a message can pass through them (movableFrom). */
const MOVE_ORDER: readonly Receipt["status"][] = ["sending", "delivered", "temporary-failure", "permanent-failure"];

/** Most rows early_receipts holds: past it, an unmatched receipt is not kept (it is ignored, as it was before). */
export const EARLY_RECEIPTS_CAP = 20_000;

/** A receipt as early_receipts stores it. */
export const receiptJson = (r: Receipt) => JSON.stringify({ ...r, at: r.at.toISOString() });

/**
 * Stores receipts of wired providers that named no delivery (the consumer may not have written
 * the provider's message id yet; services/receipts/early.ts applies them once it has), unless the
 * delivery exists by the time this statement runs or the table is full. Answers the ids stored.
 */
function keepEarly(db: Db, receipts: Receipt[], now: Date) {
  const rows = JSON.stringify(receipts.map((r, i) => ({ i: `er_${uuidv7(now.getTime())}_${i}`, p: r.provider, m: r.providerMessageId, r: r.recipient ?? null, j: receiptJson(r) })));
  const field = (name: string) => sql`json_extract("value", ${`$.${name}`})`;
  return db
    .insert(earlyReceipts)
    .select(
      sql`SELECT ${field("i")}, ${field("p")}, ${field("m")}, ${field("r")}, ${field("j")}, ${now.getTime()} FROM json_each(${rows})
        WHERE NOT EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.providerMessageId} = ${field("m")} AND ${deliveries.provider} = ${field("p")})
          AND (SELECT COUNT(*) FROM ${earlyReceipts}) < ${EARLY_RECEIPTS_CAP}`,
    )
    .returning({ id: earlyReceipts.id });
}

/**
 * Applies delivery receipts: each receipt moves the messages it names (by provider, provider
 * message id and, for a multi-recipient email, recipient) to its status, at most once and never
 * backwards (movableFrom), and adds a suppression for a complaint or a permanent failure when the
 * tenant's `suppressOn` says so. Receipts are followed in the order the provider says they
 * happened, from the statuses just read, so a `delivered` and a later bounce in one call end as
 * the bounce and a bounce followed by a late `delivered` stays the bounce.
 *
 * Every write of the call is ONE D1 batch whose size does not grow with the receipts: the moves
 * to one status (per set of statuses it may leave) are three set-based statements over a JSON
 * list of message ids, `countMove`, the status-callback outbox rows (`callbackEventsEach`,
 * enqueued once the batch is committed) and the UPDATE, all with the same WHERE, whose status
 * guard makes a move that lost a race to another post change nothing; each message keeps its own
 * receipt's error, detail and completion time (read from a JSON map). The four target statuses
 * are written in the order a message passes through them, so one message may move twice (sending,
 * then delivered) in a call. Then one INSERT of every suppression, one of the receipts kept for
 * later (below) and, for `consumed`, one DELETE: at most 5 × 3 + 3 statements, plus the read.
 *
 * Receipts naming no delivery of a provider wired here (RECEIPT_PROVIDERS) are kept in
 * early_receipts: the provider may report before the queue consumer stored its message id, and
 * settleAll applies them once it does (services/receipts/early.ts). They count as `ignored` now.
 * A receipt whose delivery appears while this call runs is applied by a second pass.
 *
 * `applied` counts receipts that changed a message or added a suppression; `ignored` the rest
 * (unknown message, repeat, out of order, interim status with nothing to move).
 *
 * @example
 * ```ts
 * await applyReceipts(env, [{ provider: "twilio", providerMessageId: "SM…", status: "delivered", at: new Date(), detail: "Delivered to the handset" }])
 * // { applied: 1, ignored: 0 }
 * ```
 */
export async function applyReceipts(
  env: Env,
  receipts: Receipt[],
  options: { now?: Date; keepUnmatched?: boolean; consumed?: string[] } = {},
): Promise<{ applied: number; ignored: number }> {
  if (receipts.length > MAX_RECEIPTS_PER_CALL) throw new RangeError(`applyReceipts takes at most ${MAX_RECEIPTS_PER_CALL} receipts per call`);
  if (receipts.length === 0 && !options.consumed?.length) return { applied: 0, ignored: 0 };
  const db = createDb(env.DB);
  const now = options.now ?? new Date();
  const unique = dedupe(receipts);
  const matches = unique.length > 0 ? await readMatches(db, unique) : new Map<string, MatchedMessage[]>();
  // The provider's own order, so that in one call an older event cannot undo a newer one.
  const ordered = unique.map((r, i) => ({ r, i })).sort((a, b) => a.r.at.getTime() - b.r.at.getTime() || a.i - b.i).map((x) => x.r);

  /** Per target status: message id → the receipt that moves it there, and the message. */
  const moves = new Map<Receipt["status"], Map<string, { receipt: Receipt; message: MatchedMessage }>>();
  const current = new Map<string, MessageStatus>();
  /** Suppression rows, one per (tenant, channel, recipient), with the receipt that asked first. */
  const suppress = new Map<string, { receipt: Receipt; row: Record<string, unknown> }>();
  const unmatched: Receipt[] = [];
  const keep = options.keepUnmatched ?? true;
  for (const receipt of ordered) {
    const all = matches.get(keyOf(receipt.provider, receipt.providerMessageId));
    if (!all) {
      if (keep && receiptsWired(env, receipt.provider)) unmatched.push(receipt);
      continue;
    }
    const wanted = receipt.recipient?.trim().toLowerCase();
    const targets = wanted === undefined ? all : all.filter((m) => m.recipient.toLowerCase() === wanted);
    for (const message of targets) {
      const from = current.get(message.id) ?? message.status;
      if (movableFrom(receipt.status, message.channel).includes(from)) {
        const planned = moves.get(receipt.status) ?? new Map();
        planned.set(message.id, { receipt, message });
        moves.set(receipt.status, planned);
        current.set(message.id, receipt.status);
      }
      if (suppresses(receipt, message)) {
        const recipient = suppressionRecipient(message);
        const key = JSON.stringify([message.tenantId, message.channel, recipient]);
        if (!suppress.has(key)) {
          suppress.set(key, {
            receipt,
            row: {
              id: uuidv7(now.getTime()),
              tenantId: message.tenantId,
              channel: message.channel,
              recipient,
              reason: `${DEFAULT_REASONS.provider}: ${receipt.complaint ? "complaint" : "permanent failure"} (${receipt.provider}${receipt.providerCode ? ` ${receipt.providerCode}` : ""})`,
            },
          });
        }
      }
    }
  }

  const statements: BatchItem<"sqlite">[] = [];
  /** Index of each UPDATE in the batch, with the moves it makes (message id → receipt). */
  const updates: { at: number; owners: Map<string, Receipt> }[] = [];
  /** Indexes of the status-callback outbox statements, whose new event ids are enqueued after the batch. */
  const outboxAt: number[] = [];
  for (const to of MOVE_ORDER) {
    const planned = moves.get(to);
    if (!planned) continue;
    for (const [, group] of groupBy([...planned.values()], (p) => movableFrom(to, p.message.channel).join())) {
      // Each receipt's own error, completion time and callback detail, once; each message names its receipt.
      const index = new Map<Receipt, number>();
      const byReceipt: { e: DeliveryError | null; c: number | null; d: CallbackDetail | null }[] = [];
      const idToReceipt: Record<string, number> = {};
      const details: Record<string, CallbackDetail | null> = {};
      const owners = new Map<string, Receipt>();
      for (const { receipt, message } of group) {
        let k = index.get(receipt);
        const error = errorOf(receipt);
        if (k === undefined) {
          k = byReceipt.length;
          index.set(receipt, k);
          byReceipt.push({ e: error, c: FINAL.has(to) ? receipt.at.getTime() : null, d: null });
        }
        idToReceipt[message.id] = k;
        owners.set(message.id, receipt);
        details[message.id] = callbackDetailOf({
          message: receipt.detail,
          provider: receipt.provider,
          ...(error ? { retryable: error.retryable } : {}),
          ...(receipt.providerCode !== undefined ? { code: receipt.providerCode } : {}),
        });
      }
      const ids = JSON.stringify(idToReceipt);
      const perReceipt = JSON.stringify(byReceipt);
      const field = (name: "e" | "c") => sql`json_extract(${perReceipt}, '$[' || json_extract(${ids}, '$."' || ${messages.id} || '"') || '].${sql.raw(name)}')`;
      const where = and(sql`${messages.id} IN (SELECT key FROM json_each(${ids}))`, inArray(messages.status, [...movableFrom(to, group[0]!.message.channel)]))!;
      statements.push(countMove(db, where, to, now));
      outboxAt.push(statements.length);
      statements.push(callbackEventsEach(db, where, to, now, JSON.stringify(details)));
      updates.push({ at: statements.length, owners });
      statements.push(
        db
          .update(messages)
          .set({ status: to, error: sql`${field("e")}`, updatedAt: now, ...(FINAL.has(to) ? { completedAt: sql`${field("c")}` } : {}) })
          .where(where)
          .returning({ id: messages.id }),
      );
    }
  }
  const suppressAt = statements.length;
  if (suppress.size > 0) {
    const rows = JSON.stringify([...suppress.values()].map((s) => s.row));
    const f = (name: string) => sql`json_extract("value", ${`$.${name}`})`;
    statements.push(
      db
        .insert(suppressions)
        .select(sql`SELECT ${f("id")}, ${f("tenantId")}, ${f("channel")}, ${f("recipient")}, ${f("reason")}, 'provider', ${now.getTime()} FROM json_each(${rows}) WHERE 1`)
        .onConflictDoNothing()
        .returning({ id: suppressions.id }),
    );
  }
  const keptAt = statements.length;
  if (unmatched.length > 0) statements.push(keepEarly(db, unmatched, now));
  if (options.consumed?.length) {
    statements.push(db.delete(earlyReceipts).where(sql`${earlyReceipts.id} IN (SELECT value FROM json_each(${JSON.stringify(options.consumed)}))`));
  }

  const changed = new Set<Receipt>();
  let notKept: Receipt[] = [];
  if (statements.length > 0) {
    const results = (await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[];
    for (const { at, owners } of updates) for (const row of (results[at] as { id: string }[]) ?? []) changed.add(owners.get(row.id)!);
    if (suppress.size > 0) {
      const added = new Set(((results[suppressAt] as { id: string }[]) ?? []).map((r) => r.id));
      for (const s of suppress.values()) if (added.has(s.row.id as string)) changed.add(s.receipt);
    }
    if (unmatched.length > 0) {
      const kept = ((results[keptAt] as { id: string }[]) ?? []).length;
      // Not kept: the delivery appeared meanwhile (a settle committed between the read and this
      // batch; the second pass below applies them), or the table is full (the second pass finds
      // nothing again). One kept as well is harmless there: it matches nothing, or is applied once.
      if (kept < unmatched.length) notKept = unmatched;
      if (kept > 0) log("info", "delivery receipts kept until their delivery is settled", { provider: unmatched[0]!.provider, kept });
    }
    await enqueueCallbackEvents(env, outboxAt.flatMap((index) => eventIdsOf(results[index])));
  }
  let applied = changed.size;
  if (notKept.length > 0) applied += (await applyReceipts(env, notKept, { now, keepUnmatched: false })).applied;
  const ignored = receipts.length - applied;
  if (ignored > 0) log("info", "delivery receipts ignored", { provider: receipts[0]!.provider, applied, ignored });
  return { applied, ignored };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
