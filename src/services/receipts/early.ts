import { and, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { deliveries, earlyReceipts } from "../../db/schema";
import type { Env } from "../../env";
import { chunk } from "../../lib/chunk";
import { log } from "../../lib/log";
import { applyReceipts, MAX_RECEIPTS_PER_CALL, type Receipt } from "./apply";
import { receiptsWired } from "./wired";

/*
 * Receipts that arrive before their delivery is settled. A provider may report (even `delivered`)
 * while the queue consumer is still waiting for the other calls of its batch, before settleAll has
 * written the provider's message id: such a receipt matches nothing. applyReceipts keeps those of
 * wired providers in early_receipts; settleAll reads the ones for the ids it writes in its own
 * batch (no extra round trip when there are none) and applies them here; the cron applies any a
 * failed settle left behind and deletes the rest after EARLY_RECEIPT_TTL_MS.
 */

/** How long an unmatched receipt waits for its delivery: far beyond a queue batch's calls. */
export const EARLY_RECEIPT_TTL_MS = 3_600_000;

/** A kept receipt, as the settle batch or the sweep read it. */
export interface EarlyReceiptRead {
  id: string;
  receipt: string;
}

/**
 * The SELECT of the kept receipts for the provider message ids a settle writes, to put in that
 * settle's batch (after the UPDATE that writes them); null when none of them is a wired
 * provider's, so an ordinary batch pays nothing.
 *
 * @example
 * ```ts
 * const read = earlyReceiptsFor(db, env, [{ provider: "twilio", providerMessageId: "SM…" }]);
 * if (read) statements.push(read);
 * ```
 */
export function earlyReceiptsFor(db: Db, env: Env, settled: { provider: string; providerMessageId?: string | undefined }[]): BatchItem<"sqlite"> | null {
  const pairs = settled.filter((s) => s.providerMessageId !== undefined && receiptsWired(env, s.provider)).map((s) => [s.provider, s.providerMessageId]);
  if (pairs.length === 0) return null;
  const list = JSON.stringify(pairs);
  return db
    .select({ id: earlyReceipts.id, receipt: earlyReceipts.receipt })
    .from(earlyReceipts)
    .where(
      sql`${earlyReceipts.providerMessageId} IN (SELECT json_extract(value, '$[1]') FROM json_each(${list}))
        AND (${earlyReceipts.provider}, ${earlyReceipts.providerMessageId}) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${list}))`,
    );
}

function parse(row: EarlyReceiptRead): Receipt | null {
  try {
    const raw = JSON.parse(row.receipt) as Receipt & { at: string };
    return { ...raw, at: new Date(raw.at) };
  } catch {
    return null;
  }
}

/**
 * Applies kept receipts whose delivery is now known, deleting them in the same batch as their
 * moves (a failure leaves them for the cron). Never throws: the settle that found them is done.
 */
export async function applyEarlyReceipts(env: Env, rows: EarlyReceiptRead[], now = new Date()): Promise<number> {
  let applied = 0;
  for (const part of chunk(rows, MAX_RECEIPTS_PER_CALL)) {
    try {
      const receipts = part.map(parse).filter((r): r is Receipt => r !== null);
      applied += (await applyReceipts(env, receipts, { now, keepUnmatched: false, consumed: part.map((r) => r.id) })).applied;
    } catch (err) {
      log("error", "early delivery receipts could not be applied; the cron tries again", { count: part.length, error: String(err) });
    }
  }
  return applied;
}

/**
 * The cron's part: applies kept receipts whose delivery has its provider message id by now (a
 * settle that failed after writing it), then deletes those older than EARLY_RECEIPT_TTL_MS, which
 * name a message this deployment never sent. Answers how many were applied and expired.
 */
export async function sweepEarlyReceipts(db: Db, env: Env, now: Date): Promise<{ applied: number; expired: number }> {
  const due = await db
    .select({ id: earlyReceipts.id, receipt: earlyReceipts.receipt })
    .from(earlyReceipts)
    .where(sql`EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.providerMessageId} = ${earlyReceipts.providerMessageId} AND ${deliveries.provider} = ${earlyReceipts.provider})`)
    .limit(MAX_RECEIPTS_PER_CALL);
  const applied = due.length > 0 ? await applyEarlyReceipts(env, due, now) : 0;
  const expired = await db
    .delete(earlyReceipts)
    .where(and(lt(earlyReceipts.receivedAt, new Date(now.getTime() - EARLY_RECEIPT_TTL_MS))))
    .returning({ id: earlyReceipts.id });
  return { applied, expired: expired.length };
}
