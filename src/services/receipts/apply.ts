import { and, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { createDb, type Db } from "../../db/client";
import { type DeliveryError, type MessageStatus, messages, suppressions } from "../../db/schema";
import type { Env } from "../../env";
import { uuidv7 } from "../../lib/ids";
import { log } from "../../lib/log";
import { callbackEvents, eventIdsOf } from "../callbacks/emit";
import { enqueueCallbackEvents } from "../callbacks/enqueue";
import { countMove } from "../delivery/notification-status";
import { DEFAULT_REASONS } from "../suppressions/suppressions";
import { type SuppressOn, suppressOnOf } from "./suppress-on";

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

/**
 * Applies delivery receipts: each receipt moves the messages it names (by provider, provider
 * message id and, for a multi-recipient email, recipient) to its status, at most once and never
 * backwards (movableFrom), and adds a suppression for a complaint or a permanent failure when the
 * tenant's `suppressOn` says so. Every move of the call is in ONE D1 batch: per receipt,
 * `countMove`, the status-callback outbox rows (`callbackEvents`, enqueued once the batch is
 * committed), then the UPDATE, all three with the same WHERE, whose status guard makes a receipt
 * that lost a race to another one change nothing. Receipts
 * for messages this deployment does not know are ignored (a provider account shared with another
 * system, or a message deleted with its tenant): they are counted, never an error. Receipts are
 * applied in the order the provider says they happened, so a `delivered` and a later bounce in
 * one call end as the bounce.
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
export async function applyReceipts(env: Env, receipts: Receipt[], options: { now?: Date } = {}): Promise<{ applied: number; ignored: number }> {
  if (receipts.length > MAX_RECEIPTS_PER_CALL) throw new RangeError(`applyReceipts takes at most ${MAX_RECEIPTS_PER_CALL} receipts per call`);
  if (receipts.length === 0) return { applied: 0, ignored: 0 };
  const db = createDb(env.DB);
  const now = options.now ?? new Date();
  const unique = dedupe(receipts);
  const matches = await readMatches(db, unique);
  // The provider's own order, so that in one call an older event cannot undo a newer one.
  const ordered = unique.map((r, i) => ({ r, i })).sort((a, b) => a.r.at.getTime() - b.r.at.getTime() || a.i - b.i).map((x) => x.r);

  const statements: BatchItem<"sqlite">[] = [];
  /** Per statement index of an UPDATE or suppression INSERT: which receipt it belongs to. */
  const owners = new Map<number, Receipt>();
  /** Indexes of the status-callback outbox statements, whose new event ids are enqueued after the batch. */
  const outboxAt: number[] = [];
  for (const receipt of ordered) {
    const all = matches.get(keyOf(receipt.provider, receipt.providerMessageId)) ?? [];
    const wanted = receipt.recipient?.trim().toLowerCase();
    const targets = wanted === undefined ? all : all.filter((m) => m.recipient.toLowerCase() === wanted);
    if (targets.length === 0) continue;
    const error = errorOf(receipt);
    for (const [channel, group] of groupBy(targets, (m) => m.channel)) {
      const where = and(
        sql`${messages.id} IN (SELECT value FROM json_each(${JSON.stringify(group.map((m) => m.id))}))`,
        inArray(messages.status, [...movableFrom(receipt.status, channel)]),
      )!;
      const final = FINAL.has(receipt.status);
      statements.push(countMove(db, where, receipt.status, now));
      outboxAt.push(statements.length);
      statements.push(
        callbackEvents(db, where, receipt.status, now, {
          message: receipt.detail,
          provider: receipt.provider,
          ...(error ? { retryable: error.retryable } : {}),
          ...(receipt.providerCode !== undefined ? { code: receipt.providerCode } : {}),
        }),
      );
      owners.set(statements.length, receipt);
      statements.push(
        db
          .update(messages)
          .set({ status: receipt.status, error, updatedAt: now, ...(final ? { completedAt: receipt.at } : {}) })
          .where(where)
          .returning({ id: messages.id }),
      );
    }
    for (const message of targets.filter((m) => suppresses(receipt, m))) {
      owners.set(statements.length, receipt);
      statements.push(
        db
          .insert(suppressions)
          .values({
            id: uuidv7(now.getTime()),
            tenantId: message.tenantId,
            channel: message.channel as "email" | "sms",
            recipient: suppressionRecipient(message),
            reason: `${DEFAULT_REASONS.provider}: ${receipt.complaint ? "complaint" : "permanent failure"} (${receipt.provider}${receipt.providerCode ? ` ${receipt.providerCode}` : ""})`,
            source: "provider",
            createdAt: now,
          })
          .onConflictDoNothing()
          .returning({ id: suppressions.id }),
      );
    }
  }
  const changed = new Set<Receipt>();
  if (statements.length > 0) {
    const results = (await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])) as unknown[];
    for (const [index, receipt] of owners) if (Array.isArray(results[index]) && results[index].length > 0) changed.add(receipt);
    await enqueueCallbackEvents(env, outboxAt.flatMap((index) => eventIdsOf(results[index])));
  }
  const applied = changed.size;
  const ignored = receipts.length - applied;
  if (ignored > 0) log("info", "delivery receipts ignored", { provider: receipts[0]!.provider, applied, ignored });
  return { applied, ignored };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
