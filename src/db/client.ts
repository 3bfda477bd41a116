import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

/**
 * One drizzle handle per D1 binding for the isolate's life: it holds no connection, but making
 * one walks the whole schema to build its relational config, which every request would repeat.
 */
const handles = new WeakMap<D1Database, Db>();

/**
 * The drizzle handle of a D1 binding.
 *
 * @example
 * ```ts
 * const db = createDb(env.DB);
 * await db.query.tenants.findFirst({ where: eq(tenants.id, id) });
 * ```
 */
export function createDb(d1: D1Database): Db {
  let db = handles.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    handles.set(d1, db);
  }
  return db;
}
