import type { Db } from "../db/client";
import type { ApiKeyPermission, ApiKeyType, TenantRow } from "../db/schema";
import type { Env } from "../env";
import type { KeyClaim } from "../services/gate/idempotency-keys";

/** Who is calling a tenant route: set by the tenant auth middleware, read by every service. */
export interface TenantPrincipal {
  tenantId: string;
  tenantName: string;
  tenantStatus: "trial" | "live";
  keyId: string;
  keyName: string;
  keyType: ApiKeyType;
  /** What this key may do; route middleware checks it (middleware/auth.ts requirePermission). */
  permissions: readonly ApiKeyPermission[];
  authMethod: "jwt" | "api-key";
  /** The tenant row authentication read, kept so the service context needs no second read. */
  tenant: TenantRow;
}

export interface AppVariables {
  requestId: string;
  correlationId: string;
  db: Db;
  tenant: TenantPrincipal;
  /** True once middleware/auth.ts requireAdmin has accepted the admin token (an operator API request). */
  operator?: boolean;
  /** Set by middleware/idempotency-key.ts on routes that decide the key at admission. */
  idempotencyKey?: KeyClaim;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
