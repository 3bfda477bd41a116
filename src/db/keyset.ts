import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { CursorKey } from "../lib/pagination";

/**
 * The "strictly after this cursor" condition for lists ordered by (time desc, id desc).
 * `timeCol` must be a timestamp_ms column.
 */
export function olderThan(timeCol: SQLiteColumn, idCol: SQLiteColumn, cursor: CursorKey | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const t = new Date(cursor.t);
  return or(lt(timeCol, t), and(eq(timeCol, t), lt(idCol, cursor.id)));
}
