import { auditLog } from "../../db/schema";
import { uuidv7 } from "../../lib/ids";
import type { OperatorContext, ServiceContext } from "../context";

/** Who acted: `operator`, `user:<id>` (an admin UI session) or `key:<id>` (an API key). */
export function actorOf(ctx: Partial<Pick<ServiceContext, "principal">> & { actor?: string }): string {
  if (ctx.actor) return ctx.actor;
  const principal = ctx.principal;
  if (!principal) return "operator";
  // Admin UI contexts (admin-identity/context.ts) carry the session's actor as their key id;
  // API key ids are UUIDs, so neither form can be mistaken for one.
  return principal.keyId === "operator" || principal.keyId.startsWith("user:") ? principal.keyId : `key:${principal.keyId}`;
}

/**
 * Writes one audit_log entry: who (from the context), what, on what, when (the request's clock).
 * A tenant context records its tenant; an operator context records `options.tenantId` (or none,
 * for platform-wide actions such as signing in). `detail` must hold no secrets.
 *
 * @example
 * ```ts
 * await audit(ctx, "template.updated", `template:${id}`, { version: 3 });
 * await audit(operatorCtx, "admin.user.invited", `admin_user:${userId}`, { role: "manage" }, { tenantId });
 * ```
 */
export async function audit(
  ctx: Pick<OperatorContext, "db" | "now"> & Partial<Pick<ServiceContext, "principal" | "tenant">> & { actor?: string },
  action: string,
  target: string,
  detail?: Record<string, unknown>,
  options: { tenantId?: string | null } = {},
): Promise<void> {
  await ctx.db.insert(auditLog).values(auditEntry(ctx, action, target, detail, options));
}

/** The row `audit` writes, for a caller that puts it in its own `db.batch()` with the change itself. */
export function auditEntry(
  ctx: Pick<OperatorContext, "now"> & Partial<Pick<ServiceContext, "principal" | "tenant">> & { actor?: string },
  action: string,
  target: string,
  detail?: Record<string, unknown>,
  options: { tenantId?: string | null } = {},
): typeof auditLog.$inferInsert {
  return {
    id: uuidv7(ctx.now.getTime()),
    tenantId: options.tenantId !== undefined ? options.tenantId : (ctx.tenant?.id ?? null),
    actor: actorOf(ctx),
    action,
    target,
    at: ctx.now,
    detail: detail ?? null,
  };
}
