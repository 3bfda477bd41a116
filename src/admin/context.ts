import type { Context } from "hono";
import { tenants } from "../db/schema";
import { eq } from "drizzle-orm";
import { operatorContext } from "../routes/context";
import type { OperatorContext, ServiceContext } from "../services/context";
import { adminServiceContext } from "../services/admin-identity/context";
import type { AdminEnv, AdminIdentity } from "./env";
import { AdminPageError } from "./errors";

/**
 * The OperatorContext of an admin request (the platform's view). Only for operator pages
 * (behind `requireAdmin("operator")`).
 *
 * @example
 * ```ts
 * admin.get("/tenants", requireAdmin("operator"), async (c) => { const page = await listTenants(operatorContextOf(c), { limit: 50 }); … });
 * ```
 */
export function operatorContextOf(c: Context<AdminEnv>): OperatorContext & { actor: string; correlationId: string } {
  // The API's operator context (its origin stays lazy), plus who acts for the audit log.
  return Object.assign(operatorContext(c), { actor: c.get("admin")?.actor ?? "operator", correlationId: c.get("correlationId") });
}

/**
 * The ServiceContext of the signed-in user's tenant, exactly as an API key with the role's
 * permissions would get it: screens call the same services (`listTemplates(ctx, …)`), which
 * apply the same checks. The tenant is the session's; a session without one (an operator) is a
 * 403 page, and an operator viewing a tenant gets that tenant with the `read` role, as its actor
 * `operator`. One D1 read (the tenant row).
 *
 * @example
 * ```ts
 * admin.get("/templates", requireAdmin("read"), async (c) => {
 *   const ctx = await tenantContextOf(c);
 *   return page(c, <TemplatesPage page={await listTemplates(ctx, { limit: 50 })} />);
 * });
 * ```
 */
export async function tenantContextOf(c: Context<AdminEnv>): Promise<ServiceContext> {
  const admin: AdminIdentity | null = c.get("admin");
  if (!admin?.tenantId) throw new AdminPageError(403, "This page is for a tenant's users; operators see tenants from the Tenants page.");
  // requireAdmin refuses these already; a handler registered without it must not write either.
  if (admin.viewing && c.req.method !== "GET" && c.req.method !== "HEAD") throw new AdminPageError(403, `You are viewing ${admin.viewing.tenantName} read only: nothing can be changed.`);
  const tenant = await c.get("db").select().from(tenants).where(eq(tenants.id, admin.tenantId)).get();
  if (!tenant) throw new AdminPageError(403, "Your tenant no longer exists.");
  return adminServiceContext(operatorContextOf(c), tenant, { actor: admin.actor, role: admin.role, correlationId: c.get("correlationId") });
}
