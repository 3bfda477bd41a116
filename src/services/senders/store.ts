import { insertRowIf } from "../../db/json-rows";
import type { replyToAddresses, smsSenders } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";

/**
 * Reply-to addresses and SMS senders a tenant may keep, each: a sender is picked by id per send,
 * so a long list is a configuration smell, and the bound keeps every list one small read.
 */
export const MAX_SENDERS_PER_TENANT = 20;

type SenderTable = typeof replyToAddresses | typeof smsSenders;

/** The UNIQUE constraint SQLite reports, as `table.column[, table.column]`; null for any other error. */
export function uniqueViolation(err: unknown): string | null {
  const text = err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : "";
  return /UNIQUE constraint failed: ([\w., ]+)/.exec(text)?.[1]?.trim() ?? null;
}

/**
 * Stores a new row of `table` in one D1 batch (one transaction): when it is the default, the
 * tenant's old default is cleared by the same batch, and both statements carry the per-tenant
 * bound, so concurrent creates can neither leave two defaults, nor pass the bound together, nor
 * clear a default for a row that was then refused. A UNIQUE violation rolls the whole batch back
 * and is rethrown for the caller to name the field.
 *
 * @example
 * ```ts
 * await insertSender(ctx, smsSenders, "sms_senders", row, "SMS senders"); // 409 past the bound
 * ```
 */
export async function insertSender<T extends SenderTable>(ctx: Pick<ServiceContext, "env" | "tenant">, table: T, tableName: string, row: T["$inferSelect"], label: string): Promise<void> {
  const bound = `(SELECT COUNT(*) FROM "${tableName}" WHERE tenant_id = ?) < ?`;
  const params = [ctx.tenant.id, MAX_SENDERS_PER_TENANT];
  const statements: D1PreparedStatement[] = [];
  if (row.isDefault) {
    statements.push(ctx.env.DB.prepare(`UPDATE "${tableName}" SET is_default = 0 WHERE tenant_id = ? AND is_default = 1 AND ${bound}`).bind(ctx.tenant.id, ...params));
  }
  statements.push(insertRowIf(ctx.env.DB, table, row, bound, params));
  const results = await ctx.env.DB.batch(statements);
  if (results[results.length - 1]!.meta.changes === 0) {
    throw new ApiError("conflict", { detail: `A tenant may have at most ${MAX_SENDERS_PER_TENANT} ${label}; delete one first` });
  }
}
