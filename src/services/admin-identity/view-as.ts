import { and, eq } from "drizzle-orm";
import { adminSessions, auditLog } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto/hash";
import { ApiError } from "../../lib/errors/api-error";
import type { OperatorContext } from "../context";
import { assertNotSystemTenant } from "../tenants/system-tenant";
import { getTenant } from "../tenants/tenants";
import { auditEntry } from "./audit";

/** The audit action of each page an operator opens while viewing a tenant (detail: method, path, status). */
export const VIEW_AS_PAGE_ACTION = "admin.operator.view_as";

/**
 * Starts an operator's read-only view of a tenant's screens: the tenant is written into the
 * operator's own session row (`admin_sessions.tenant_id`, null for operators otherwise), so it
 * comes from the server-side session, never from a URL, and ends with the session. The admin UI
 * turns an operator session with a tenant into that tenant's `read` role and refuses every form
 * post but stopping (src/admin/middleware.ts). Only an operator session can be changed (the
 * UPDATE is conditional on `kind = 'operator'`); the system tenant is refused (its notifications
 * carry other tenants' one-time sign-in links). The start is audited under the tenant, in the
 * same batch.
 *
 * @example
 * ```ts
 * await startViewingAs({ ...operatorCtx, actor: "operator" }, c.get("sessionCookie"), tenantId);
 * ```
 */
export async function startViewingAs(ctx: Pick<OperatorContext, "db" | "now"> & { actor: string }, sessionId: string | undefined, tenantId: string): Promise<void> {
  assertNotSystemTenant(tenantId, "its screens viewed");
  const tenant = await getTenant(ctx, tenantId);
  if (!sessionId) throw new ApiError("unauthorized", { detail: "Sign in again." });
  const [changed] = await ctx.db.batch([
    ctx.db
      .update(adminSessions)
      .set({ tenantId: tenant.id })
      .where(and(eq(adminSessions.idHash, await sha256Hex(sessionId)), eq(adminSessions.kind, "operator")))
      .returning({ idHash: adminSessions.idHash }),
    ctx.db.insert(auditLog).values(auditEntry(ctx, "admin.operator.view_as_started", `tenant:${tenant.id}`, undefined, { tenantId: tenant.id })),
  ]);
  if (changed.length === 0) throw new ApiError("forbidden", { detail: "Only an operator's session can view a tenant." });
}

/**
 * Ends an operator's view of a tenant (the session's tenant goes back to null) and audits it
 * under that tenant. Returns the tenant that was being viewed, or null when none was.
 *
 * @example
 * ```ts
 * const was = await stopViewingAs({ ...operatorCtx, actor: "operator" }, c.get("sessionCookie"));
 * ```
 */
export async function stopViewingAs(ctx: Pick<OperatorContext, "db" | "now"> & { actor: string }, sessionId: string | undefined): Promise<string | null> {
  if (!sessionId) return null;
  const idHash = await sha256Hex(sessionId);
  const row = await ctx.db
    .select({ tenantId: adminSessions.tenantId })
    .from(adminSessions)
    .where(and(eq(adminSessions.idHash, idHash), eq(adminSessions.kind, "operator")))
    .get();
  if (!row?.tenantId) return null;
  await ctx.db.batch([
    ctx.db.update(adminSessions).set({ tenantId: null }).where(and(eq(adminSessions.idHash, idHash), eq(adminSessions.kind, "operator"))),
    ctx.db.insert(auditLog).values(auditEntry(ctx, "admin.operator.view_as_stopped", `tenant:${row.tenantId}`, undefined, { tenantId: row.tenantId })),
  ]);
  return row.tenantId;
}
