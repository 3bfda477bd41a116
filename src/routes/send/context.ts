import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import { publicOrigin } from "../../lib/public-origin";
import type { SendContext } from "../../services/send/context";
import type { TenantSettings } from "../../services/tenants/settings";
import { getTenant } from "../../services/tenants/tenants";

/** Builds the explicit context the send services take, once per request. */
export async function sendContext(c: Context<AppEnv>): Promise<SendContext> {
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
