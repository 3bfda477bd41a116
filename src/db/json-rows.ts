import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * Characters of JSON one statement carries: D1 takes a bound value of up to 2 MB, and 600,000
 * UTF-16 characters are at most 1.8 MB of UTF-8 whatever the text.
 */
const MAX_JSON_CHARS = 600_000;

/**
 * INSERTs that carry many rows each in ONE bound parameter, a JSON array of rows read back with
 * `json_each`, instead of multi-row VALUES lists, which D1's limit of 100 bound parameters cuts
 * to five or seven rows a statement. A chunk of a mail merge (500 deliveries and their messages)
 * is then a handful of statements rather than a few hundred. Values are converted by the table's
 * own drizzle columns (timestamps to milliseconds, JSON columns to text), so the rows read back
 * exactly as drizzle's own inserts would have written them. Rows give every column (column
 * defaults do not apply: an absent value is NULL).
 *
 * @example
 * ```ts
 * await env.DB.batch([...jsonInsert(env.DB, deliveries, deliveryRows), ...jsonInsert(env.DB, messages, messageRows)]);
 * ```
 */
export function jsonInsert<T extends SQLiteTable>(d1: D1Database, table: T, rows: T["$inferSelect"][]): D1PreparedStatement[] {
  if (rows.length === 0) return [];
  const { columns, sql, single } = insertShape(table);
  // One row (a single send's notification, delivery and message) is cheaper to bind as VALUES
  // than to encode as JSON and pick apart again with json_extract, column by column.
  if (rows.length === 1 && single) return [d1.prepare(single).bind(...driverValues(columns, rows[0]!))];
  return jsonChunks(table, rows).map((json) => d1.prepare(sql).bind(json));
}

function driverValues(columns: Columns, row: object): unknown[] {
  return columns.map(([key, column]) => {
    const value = (row as Record<string, unknown>)[key];
    return value === undefined || value === null ? null : column.mapToDriverValue(value);
  });
}

/** Rows as JSON arrays of driver values, as few parameters as fit in D1's bound value. */
function jsonChunks<T extends SQLiteTable>(table: T, rows: T["$inferSelect"][]): string[] {
  const { columns } = insertShape(table);
  const chunks: string[] = [];
  let part: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (part.length > 0) chunks.push(`[${part.join(",")}]`);
    part = [];
    bytes = 0;
  };
  for (const row of rows) {
    const encoded = JSON.stringify(driverValues(columns, row));
    if (bytes + encoded.length > MAX_JSON_CHARS) flush();
    part.push(encoded);
    bytes += encoded.length + 1;
  }
  flush();
  return chunks;
}

/**
 * jsonInsert's statements, each inserting its rows only if `condition` (SQL over other tables,
 * with `?` placeholders for `params`) holds when it runs. In one batch every statement sees the
 * same data, so either all of a send's rows are written or none is: the send path uses it to
 * check its recipients against the suppression list in the batch that stores them.
 *
 * @example
 * ```ts
 * await env.DB.batch(jsonInsertIf(env.DB, messages, rows, "NOT EXISTS (SELECT 1 FROM suppressions WHERE tenant_id = ?)", [tenantId]));
 * ```
 */
export function jsonInsertIf<T extends SQLiteTable>(d1: D1Database, table: T, rows: T["$inferSelect"][], condition: string, params: unknown[]): D1PreparedStatement[] {
  if (rows.length === 0) return [];
  if (rows.length === 1) return [insertRowIf(d1, table, rows[0]!, condition, params)];
  return jsonChunks(table, rows).map((json) => d1.prepare(`${insertShape(table).sql} WHERE ${condition}`).bind(json, ...params));
}

/**
 * One row inserted only if `condition` (SQL over other rows, with `?` placeholders for `params`)
 * holds when the statement runs: a bound ("at most 50 per tenant") checked and kept in one
 * statement, so concurrent writers cannot all pass a count read before any of them inserts.
 * `meta.changes` says whether it was.
 *
 * @example
 * ```ts
 * const { meta } = await insertRowIf(env.DB, callbacks, row, "(SELECT COUNT(*) FROM callbacks WHERE tenant_id = ?) < ?", [tenantId, 50]).run();
 * if (meta.changes === 0) throw new ApiError("conflict", …);
 * ```
 */
export function insertRowIf<T extends SQLiteTable>(d1: D1Database, table: T, row: T["$inferSelect"], condition: string, params: unknown[]): D1PreparedStatement {
  const { columns, into } = insertShape(table);
  const sql = `${into} SELECT ${columns.map(() => "?").join(", ")} WHERE ${condition}`;
  return d1.prepare(sql).bind(...driverValues(columns, row), ...params);
}

type Columns = [string, SQLiteColumn][];

/** Each table's INSERT, built once per isolate: the send path stores rows on every request. */
const shapes = new WeakMap<SQLiteTable, { columns: Columns; into: string; sql: string; single: string | null }>();

/** D1 binds at most 100 parameters to a statement. */
const MAX_BOUND_PARAMETERS = 100;

function insertShape(table: SQLiteTable): { columns: Columns; into: string; sql: string; single: string | null } {
  let shape = shapes.get(table);
  if (!shape) {
    const columns = Object.entries(getTableColumns(table)) as Columns;
    const names = columns.map(([, column]) => `"${column.name}"`).join(", ");
    const picks = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
    const into = `INSERT INTO "${getTableName(table)}" (${names})`;
    shape = {
      columns,
      into,
      sql: `${into} SELECT ${picks} FROM json_each(?1)`,
      single: columns.length <= MAX_BOUND_PARAMETERS ? `${into} VALUES (${columns.map(() => "?").join(", ")})` : null,
    };
    shapes.set(table, shape);
  }
  return shape;
}

/**
 * Rows read with D1's own API (a statement from preparedOnce) as drizzle would have read them:
 * each column's value converted by the table's drizzle column (milliseconds to Dates, JSON text
 * to values), keyed by the property name.
 *
 * @example
 * ```ts
 * const { results } = await preparedOnce(env.DB, "suppressed", build, params).all();
 * const rows = readRows(suppressions, results);
 * ```
 */
export function readRows<T extends SQLiteTable>(table: T, rows: Record<string, unknown>[]): T["$inferSelect"][] {
  const { columns } = insertShape(table);
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = row[column.name];
      out[key] = value === undefined || value === null ? null : column.mapFromDriverValue(value);
    }
    return out as T["$inferSelect"];
  });
}

/** SQL text of queries whose shape never changes, by name: built by drizzle once per isolate. */
const texts = new Map<string, string>();

/**
 * A drizzle query whose SQL text does not depend on its parameters, as a D1 prepared statement,
 * built by drizzle only the first time `name` is asked for: building SQL is most of what a query
 * costs the Worker, and the hot paths run the same few queries on every request. `params` must be
 * the values the query binds, in its order (checked against drizzle's on the first build).
 *
 * @example
 * ```ts
 * preparedOnce(env.DB, "deriveStatus", () => deriveStatus(db, id), [id])
 * ```
 */
export function preparedOnce(d1: D1Database, name: string, build: () => { toSQL(): { sql: string; params: unknown[] } }, params: unknown[]): D1PreparedStatement {
  let text = texts.get(name);
  if (text === undefined) {
    const built = build().toSQL();
    if (built.params.length !== params.length || built.params.some((p, i) => p !== params[i])) {
      throw new Error(`preparedOnce(${name}): the parameters given are not the query's`);
    }
    text = built.sql;
    texts.set(name, text);
  }
  return d1.prepare(text).bind(...params);
}

/** A drizzle query as a D1 prepared statement, for a batch that mixes both (D1's own `batch`). */
export function prepared(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
