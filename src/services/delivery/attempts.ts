import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type AttemptOutcome, deliveryAttempts, type DeliveryRow } from "../../db/schema";
import { uuidv7 } from "../../lib/ids";

/** One attempt as the settle batch writes it (a delivery_attempts row, times in ms). */
export interface AttemptRecord {
  id: string;
  deliveryId: string;
  notificationId: string;
  tenantId: string;
  attempt: number;
  provider: string;
  startedAt: number;
  endedAt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  providerMessageId: string | null;
}

/**
 * The record of an attempt of `delivery` with `provider`: what the rest of the row says about
 * how it ended is given in `end`.
 *
 * @example
 * ```ts
 * attemptRecord(delivery, "postmark", { startedAt, endedAt, outcome: "accepted", providerMessageId: "b7bc2f4a-…" })
 * ```
 */
export function attemptRecord(
  delivery: Pick<DeliveryRow, "id" | "notificationId" | "tenantId" | "attempts">,
  provider: string,
  end: Pick<AttemptRecord, "startedAt" | "endedAt" | "outcome"> & Partial<Pick<AttemptRecord, "httpStatus" | "errorCode" | "errorMessage" | "providerMessageId">>,
): AttemptRecord {
  return {
    id: uuidv7(end.startedAt),
    deliveryId: delivery.id,
    notificationId: delivery.notificationId,
    tenantId: delivery.tenantId,
    attempt: delivery.attempts,
    provider,
    httpStatus: null,
    errorCode: null,
    errorMessage: null,
    providerMessageId: null,
    ...end,
  };
}

/** Characters of JSON per statement: far inside D1's 2 MB for a bound value (messages are bounded by the providers' wording). */
const MAX_JSON_CHARS = 500_000;

/**
 * Which deliveries' attempts may be written: those still held under the batch's lease token, or
 * (the cron's sweep) those still in flight past their lease.
 */
export type AttemptGuard = { leaseToken: string } | { lostBefore: Date };

/**
 * The INSERTs of a batch's attempts, normally one: every record travels in a single JSON
 * parameter read back with json_each (D1 binds at most 100 parameters, so a multi-row VALUES
 * would take a statement per seven attempts). Only attempts of deliveries `guard` holds are
 * written, so they must run before the statement that releases the deliveries: an attempt whose
 * lease ran out is recorded once, by whichever of the batch and the cron's sweep settles it.
 *
 * @example
 * ```ts
 * await db.batch([...insertAttempts(db, records, { leaseToken: token }), releaseStatement]);
 * ```
 */
export function insertAttempts(db: Db, records: AttemptRecord[], guard: AttemptGuard) {
  const columns = Object.entries(getTableColumns(deliveryAttempts));
  const parts: AttemptRecord[][] = [];
  let part: AttemptRecord[] = [];
  let chars = 0;
  for (const record of records) {
    const size = JSON.stringify(record).length;
    if (part.length > 0 && chars + size > MAX_JSON_CHARS) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(record);
    chars += size;
  }
  if (part.length > 0) parts.push(part);
  return parts.map((rows) => {
    // In the table's column order, which is the order INSERT … SELECT lists its columns in.
    const picked = Object.fromEntries(columns.map(([key, column]) => [key, sql.raw(`json_extract(value, '$.${key}')`).as(column.name)]));
    return db.insert(deliveryAttempts).select(
      db
        .select(picked as Record<keyof typeof deliveryAttempts.$inferInsert, SQL.Aliased>)
        .from(sql`json_each(${JSON.stringify(rows)})`)
        .where(sql`EXISTS (SELECT 1 FROM deliveries WHERE id = json_extract(value, '$.deliveryId') AND ${held(guard)})`),
    );
  });
}

function held(guard: AttemptGuard): SQL {
  return "leaseToken" in guard ? sql`lease_token = ${guard.leaseToken}` : sql`state = 'in_flight' AND lease_until < ${guard.lostBefore.getTime()}`;
}
