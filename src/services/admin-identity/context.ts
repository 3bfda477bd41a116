import type { AdminRole, TenantRow } from "../../db/schema";
import type { OperatorContext, ServiceContext } from "../context";
import type { TenantSettings } from "../tenants/settings";
import { permissionsOfRole } from "./roles";

/**
 * The ServiceContext of a person acting for `tenant` in the admin UI: the same context an API
 * key's request gets, so every service applies the same checks. The principal is a live key's
 * (its rate bucket, its guest-list rule) with the role's permissions; its keyId is the actor
 * (`user:<id>` or `operator`) that audit entries record.
 *
 * @example
 * ```ts
 * const ctx = adminServiceContext(operatorCtx, tenantRow, { actor: "user:0193…", role: "send", correlationId });
 * await listTemplates(ctx, { limit: 50 });
 * ```
 */
export function adminServiceContext(base: OperatorContext, tenant: TenantRow, who: { actor: string; role: AdminRole; correlationId: string }): ServiceContext {
  return {
    db: base.db,
    env: base.env,
    requestId: base.requestId,
    now: base.now,
    get origin() {
      return base.origin;
    },
    principal: {
      tenantId: tenant.id,
      tenantName: tenant.name,
      tenantStatus: tenant.status,
      keyId: who.actor,
      keyName: "admin UI",
      keyType: "live",
      permissions: permissionsOfRole(who.role),
      // Sessions are neither; what matters downstream is the key type and permissions.
      authMethod: "api-key",
      tenant,
    },
    tenant,
    settings: tenant.settings as TenantSettings,
    correlationId: who.correlationId,
  };
}
