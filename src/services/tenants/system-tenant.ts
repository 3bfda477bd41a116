import { eq } from "drizzle-orm";
import { type TenantRow, tenants } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import { dataRegion, homeOfTenantId, markTenantId } from "../../lib/regions";
import type { OperatorContext } from "../context";

/**
 * The deployment's own sender: a tenant row that belongs to the operator, not to any customer,
 * through which the service sends its own mail (admin sign-in invitations). Mail sent as a
 * customer tenant's notification is readable by every key of that tenant (`GET /v2/notifications`
 * and the other list APIs show bodies), so a one-time sign-in link sent that way could be taken by
 * a holder of a send-only key. Sent as this tenant's, it is readable only by the operator.
 *
 * It has a fixed id (the nil UUIDv7, with this deployment's region marker when it has one) so
 * that concurrent first uses insert one row, and it can never have API keys or administrators
 * (see {@link assertNotSystemTenant}): nothing but the operator can read what it sends.
 */
export const SYSTEM_TENANT_NAME = "Edge Notify (system)";

const SYSTEM_TENANT_BASE_ID = "00000000-0000-7000-8000-000000000000";

/**
 * This deployment's system tenant id.
 *
 * @example
 * ```ts
 * systemTenantId({ DATA_REGION: "eu" }) // "00000000-0000-7000-8000-0000ed9e0002"
 * systemTenantId({}) // "00000000-0000-7000-8000-000000000000"
 * ```
 */
export function systemTenantId(env: Parameters<typeof dataRegion>[0]): string {
  const region = dataRegion(env);
  return region ? markTenantId(SYSTEM_TENANT_BASE_ID, region) : SYSTEM_TENANT_BASE_ID;
}

/**
 * Whether `tenantId` is a system tenant (this deployment's or, when regions share ids in a
 * client's hands, another region's).
 *
 * @example
 * ```ts
 * isSystemTenantId("00000000-0000-7000-8000-0000ed9e0001") // true
 * ```
 */
export function isSystemTenantId(tenantId: string): boolean {
  const id = tenantId.toLowerCase();
  return id === SYSTEM_TENANT_BASE_ID || (id.slice(0, 28) === SYSTEM_TENANT_BASE_ID.slice(0, 28) && homeOfTenantId(id) !== null);
}

/**
 * Refuses (422, naming `field`) what would let anyone but the operator act as the system tenant:
 * API keys and admin UI users.
 */
export function assertNotSystemTenant(tenantId: string, what: string, field = "tenantId"): void {
  if (!isSystemTenantId(tenantId)) return;
  const message = `${SYSTEM_TENANT_NAME} sends this deployment's own mail and cannot have ${what}`;
  throw new ApiError("unprocessable", { detail: message, errors: [{ path: field, message }] });
}

/**
 * The system tenant, created on first use (live, no settings: the deployment's default providers).
 * The insert is ignored when the row exists, so concurrent first uses make one; one D1 round trip.
 * The operator may rename it or change its settings (its sender, say) like any tenant's.
 *
 * @example
 * ```ts
 * const system = await ensureSystemTenant(operatorCtx);
 * ```
 */
export async function ensureSystemTenant(ctx: Pick<OperatorContext, "db" | "env" | "now">): Promise<TenantRow> {
  const id = systemTenantId(ctx.env);
  const [, rows] = await ctx.db.batch([
    ctx.db
      .insert(tenants)
      .values({ id, name: SYSTEM_TENANT_NAME, status: "live", limits: {}, settings: {}, defaultReplyTo: null, defaultSmsSender: null, createdAt: ctx.now, updatedAt: ctx.now })
      .onConflictDoNothing({ target: tenants.id }),
    ctx.db.select().from(tenants).where(eq(tenants.id, id)),
  ]);
  const row = rows[0];
  if (!row) throw new ApiError("unavailable", { detail: "The system tenant could not be read; retry" });
  return row;
}
