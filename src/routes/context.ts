import type { Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import { publicOrigin } from "../lib/public-origin";
import type { OperatorContext, ServiceContext } from "../services/context";
import type { TenantSettings } from "../services/tenants/settings";

/**
 * Builds the service context of a tenant request. The tenant row comes from the authentication
 * (middleware/auth.ts), which has already read it, so this costs no D1 round trip.
 *
 * @example
 * ```ts
 * app.openapi(route, async (c) => c.json(await listGroups(serviceContext(c), page), 200));
 * ```
 */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const principal = c.get("tenant");
  return {
    db: c.get("db"),
    env: c.env,
    requestId: c.get("requestId"),
    now: new Date(),
    // Lazy: a misconfigured PUBLIC_ORIGIN (503) only concerns routes that build absolute URLs.
    get origin() {
      return publicOrigin(c);
    },
    principal,
    tenant: principal.tenant,
    settings: principal.tenant.settings as TenantSettings,
    correlationId: c.get("correlationId"),
    ...(c.get("idempotencyKey") ? { idempotencyKey: c.get("idempotencyKey") } : {}),
  };
}

/**
 * Builds the context of an operator request (`Authorization: Bearer <ADMIN_TOKEN>`): no tenant,
 * no key; operator services name the tenant they act on.
 *
 * @example
 * ```ts
 * app.openapi(route, async (c) => c.json(await updateTenant(operatorContext(c), tenantId, patch), 200));
 * ```
 */
export function operatorContext<E extends AppEnv>(c: Context<E>): OperatorContext {
  return {
    db: c.get("db"),
    env: c.env,
    requestId: c.get("requestId"),
    now: new Date(),
    get origin() {
      return publicOrigin(c);
    },
  };
}
