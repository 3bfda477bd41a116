import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { isUuid } from "../lib/ids";
import { assertHomedHere } from "../lib/regions";

/**
 * Operator routes under `/api/v1/tenants/{tenantId}`: a tenant homed in another region is a 421
 * naming that region's base URL (rather than a 404 from this region's database), before the
 * route reads anything. Tenant routes get the same rule in authentication.
 */
export const tenantHomedHere = createMiddleware<AppEnv>(async (c, next) => {
  const tenantId = c.req.param("tenantId");
  if (tenantId && isUuid(tenantId)) assertHomedHere(c.env, tenantId);
  await next();
});
