import { and, desc, eq, sql } from "drizzle-orm";
import { olderThan } from "../../db/keyset";
import { auditLog, type AuditLogRow } from "../../db/schema";
import { fieldError } from "../../lib/errors/api-error";
import { type Page, type PageRequest, pageOf } from "../../lib/pagination";
import type { ServiceContext } from "../context";
import { redactAuditDetail, redactAuditText } from "./audit";

/** Longest action prefix a filter may carry (actions are short dotted verbs). */
export const AUDIT_ACTION_PREFIX_MAX = 100;

export interface AuditEntryView {
  id: string;
  /** `operator`, `user:<id>` or `key:<id>`. */
  actor: string;
  action: string;
  target: string;
  at: string;
  detail: Record<string, unknown> | null;
}

/** Entries written before redaction existed are redacted on the way out too. */
function toView(row: AuditLogRow): AuditEntryView {
  return { id: row.id, actor: row.actor, action: row.action, target: redactAuditText(row.target), at: row.at.toISOString(), detail: row.detail ? redactAuditDetail(row.detail) : null };
}

/**
 * The tenant's audit entries, newest first, paged by keyset cursor; `action` keeps only entries
 * whose action starts with it (case-sensitive, so `template.` matches `template.create` but not a
 * LIKE wildcard). Platform-wide entries (no tenant) and other tenants' never appear.
 *
 * @example
 * ```ts
 * const page = await listAuditEntries(ctx, { limit: 50, action: "template." });
 * const next = await listAuditEntries(ctx, { limit: 50, cursor: toPageRequest({ limit: 50, cursor: page.nextCursor! }).cursor });
 * ```
 */
export async function listAuditEntries(ctx: ServiceContext, input: PageRequest & { action?: string }): Promise<Page<AuditEntryView>> {
  const prefix = input.action ?? "";
  if (prefix.length > AUDIT_ACTION_PREFIX_MAX) throw fieldError("invalid_request", "query.action", `At most ${AUDIT_ACTION_PREFIX_MAX} characters`);
  const limit = Math.min(Math.max(Math.trunc(input.limit), 1), 200);
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.tenantId, ctx.tenant.id),
        // substr, not LIKE: `_` and `%` are common in action names and must match literally.
        prefix ? sql`substr(${auditLog.action}, 1, ${prefix.length}) = ${prefix}` : undefined,
        olderThan(auditLog.at, auditLog.id, input.cursor),
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit + 1);
  return pageOf(rows, limit, (r) => ({ t: r.at.getTime(), id: r.id }), toView);
}
