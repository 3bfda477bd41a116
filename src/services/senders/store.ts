import { insertRowIf } from "../../db/json-rows";
import type { replyToAddresses, smsSenders } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { forgetCredentials } from "../auth/credential-cache";
import type { ServiceContext } from "../context";

/**
 * Reply-to addresses and SMS senders a tenant may keep, each: a sender is picked by id per send,
 * so a long list is a configuration smell, and the bound keeps every list one small read.
 */
export const MAX_SENDERS_PER_TENANT = 20;

type SenderTable = typeof replyToAddresses | typeof smsSenders;
type SenderTableName = "reply_to_addresses" | "sms_senders";

/** Each sender table's default, as copied onto the tenant row: the tenant column and the value column. */
const DEFAULT_COPY: Record<SenderTableName, { column: string; value: string }> = {
  reply_to_addresses: { column: "default_reply_to", value: "email" },
  sms_senders: { column: "default_sms_sender", value: "sender" },
};

/**
 * The statement that makes the tenant row's copy of its default (`tenants.default_reply_to` /
 * `default_sms_sender`) equal to the table's default, read inside the statement: appended to
 * every batch that sets, clears or deletes a default, it runs in that batch's transaction after
 * the change, so whatever batches race, the last to commit leaves the copy equal to the table.
 * Sends read the copy from the tenant row they already have, at no extra query. It writes only
 * when the copy differs. Call forgetCredentials() after the batch, for the cached tenant row.
 *
 * @example
 * ```ts
 * await env.DB.batch([env.DB.prepare("DELETE FROM sms_senders WHERE id = ?").bind(id), syncDefaultCopy(env.DB, "sms_senders", tenantId)]);
 * ```
 */
export function syncDefaultCopy(db: D1Database, tableName: SenderTableName, tenantId: string): D1PreparedStatement {
  const { column, value } = DEFAULT_COPY[tableName];
  const current = `(SELECT "${value}" FROM "${tableName}" WHERE tenant_id = ?1 AND is_default = 1)`;
  return db.prepare(`UPDATE tenants SET "${column}" = ${current} WHERE id = ?1 AND "${column}" IS NOT ${current}`).bind(tenantId);
}

/**
 * Deletes one row of `tableName` (`extra`: a further condition, e.g. `AND inbound = 1`) with the
 * tenant's copy of its default brought up to date in the same batch. Whether a row went.
 *
 * @example
 * ```ts
 * if (!(await deleteSender(env.DB, "reply_to_addresses", tenantId, id))) throw notFound;
 * ```
 */
export async function deleteSender(db: D1Database, tableName: SenderTableName, tenantId: string, id: string, extra = ""): Promise<boolean> {
  const [gone, synced] = await db.batch<{ is_default: number }>([
    db.prepare(`DELETE FROM "${tableName}" WHERE id = ? AND tenant_id = ? ${extra} RETURNING is_default`).bind(id, tenantId),
    syncDefaultCopy(db, tableName, tenantId),
  ]);
  if (synced!.meta.changes > 0) forgetCredentials();
  return gone!.results.length > 0;
}

/** The UNIQUE constraint SQLite reports, as `table.column[, table.column]`; null for any other error. */
export function uniqueViolation(err: unknown): string | null {
  const text = err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : "";
  return /UNIQUE constraint failed: ([\w., ]+)/.exec(text)?.[1]?.trim() ?? null;
}

/**
 * Stores a new row of `table` in one D1 batch (one transaction): when it is the default, the
 * tenant's old default is cleared and the tenant row's copy of it (syncDefaultCopy) replaced by
 * the same batch, and the clearing and inserting statements carry the per-tenant
 * bound, so concurrent creates can neither leave two defaults, nor pass the bound together, nor
 * clear a default for a row that was then refused. A UNIQUE violation rolls the whole batch back
 * and is rethrown for the caller to name the field.
 *
 * @example
 * ```ts
 * await insertSender(ctx, smsSenders, "sms_senders", row, "SMS senders"); // 409 past the bound
 * ```
 */
export async function insertSender<T extends SenderTable>(ctx: Pick<ServiceContext, "env" | "tenant">, table: T, tableName: SenderTableName, row: T["$inferSelect"], label: string): Promise<void> {
  const bound = `(SELECT COUNT(*) FROM "${tableName}" WHERE tenant_id = ?) < ?`;
  const params = [ctx.tenant.id, MAX_SENDERS_PER_TENANT];
  const statements: D1PreparedStatement[] = [];
  if (row.isDefault) {
    statements.push(ctx.env.DB.prepare(`UPDATE "${tableName}" SET is_default = 0 WHERE tenant_id = ? AND is_default = 1 AND ${bound}`).bind(ctx.tenant.id, ...params));
  }
  statements.push(insertRowIf(ctx.env.DB, table, row, bound, params));
  if (row.isDefault) statements.push(syncDefaultCopy(ctx.env.DB, tableName, ctx.tenant.id));
  const results = await ctx.env.DB.batch(statements);
  if (row.isDefault) forgetCredentials();
  if (results[row.isDefault ? 1 : 0]!.meta.changes === 0) {
    throw new ApiError("conflict", { detail: `A tenant may have at most ${MAX_SENDERS_PER_TENANT} ${label}; delete one first` });
  }
}
