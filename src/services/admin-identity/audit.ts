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

/** A one-time sign-in link's token in a path (`/admin/sign-in/link/<token>`): a credential, never a log's. */
const SIGN_IN_LINK_TOKEN = /(\/admin\/sign-in\/link\/)[^/?#\s"]+/g;

/**
 * Text an audit entry may show: sign-in link tokens replaced by `[redacted]`. Audit entries are
 * read by every manage user of the tenant, so a path that happens to carry a live link (a page
 * visited while an operator views the tenant, say) must not hand them the link.
 *
 * @example
 * ```ts
 * redactAuditText("/admin/sign-in/link/7Sbh…Q") // "/admin/sign-in/link/[redacted]"
 * ```
 */
export function redactAuditText(text: string): string {
  return text.replace(SIGN_IN_LINK_TOKEN, "$1[redacted]");
}

/** `detail` with every string in it (keys and values, at any depth) redacted. */
export function redactAuditDetail<T>(value: T): T {
  if (typeof value === "string") return redactAuditText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactAuditDetail(v)) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactAuditText(k), redactAuditDetail(v)])) as T;
  return value;
}

/**
 * Writes one audit_log entry: who (from the context), what, on what, when (the request's clock).
 * A tenant context records its tenant; an operator context records `options.tenantId` (or none,
 * for platform-wide actions such as signing in). `detail` must hold no secrets (sign-in link
 * tokens in the target or detail are redacted all the same).
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
    target: redactAuditText(target),
    at: ctx.now,
    detail: detail ? redactAuditDetail(detail) : null,
  };
}
