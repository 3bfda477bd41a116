import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * SQL merging `patch` into a JSON object column key by key: a value sets its key, `null`
 * removes it, `undefined` leaves it alone.
 *
 * @example
 * ```ts
 * db.update(tenants).set({ limits: mergeJson(tenants.limits, { dailySms: 10, dailyEmail: null }) })
 * ```
 */
export function mergeJson(column: SQLiteColumn, patch: Record<string, unknown>): SQL {
  let expr: SQL = sql`coalesce(${column}, '{}')`;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const path = `$."${key.replaceAll('"', "")}"`;
    expr = value === null ? sql`json_remove(${expr}, ${path})` : sql`json_set(${expr}, ${path}, json(${JSON.stringify(value)}))`;
  }
  return expr;
}
