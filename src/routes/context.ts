import type { Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import { publicOrigin } from "../lib/public-origin";
import type { ServiceContext } from "../services/context";
import type { TenantSettings } from "../services/tenants/settings";
import { getTenant } from "../services/tenants/tenants";

/**
 * Builds the service context of a tenant request, once per request.
 *
 * @example
 * ```ts
 * app.openapi(route, async (c) => c.json(await listGroups(await serviceContext(c), page), 200));
 * ```
 */
export async function serviceContext(c: Context<AppEnv>): Promise<ServiceContext> {
  const principal = c.get("tenant");
  const tenant = await getTenant(c.get("db"), principal.tenantId);
  return {
    db: c.get("db"),
    env: c.env,
    principal,
    tenant,
    settings: tenant.settings as TenantSettings,
    correlationId: c.get("correlationId"),
    requestId: c.get("requestId"),
    now: new Date(),
    origin: publicOrigin(c),
  };
}
