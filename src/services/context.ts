import type { Db } from "../db/client";
import type { TenantRow } from "../db/schema";
import type { Env } from "../env";
import type { TenantPrincipal } from "../lib/app-env";
import type { KeyClaim } from "./gate/idempotency-keys";
import type { TenantSettings } from "./tenants/settings";

/**
 * What an operator service receives (routes/context.ts `operatorContext`): the platform's view,
 * acting on any tenant named by id. Operator services take it as `verb(ctx, tenantId, input)`.
 */
export interface OperatorContext {
  db: Db;
  env: Env;
  requestId: string;
  /** The request's clock: one instant for every decision a request makes. */
  now: Date;
  /** Origin for absolute URLs (PUBLIC_ORIGIN when set), e.g. https://notify.example.gov */
  origin: string;
}

/**
 * What every tenant service receives, built once per request (routes/context.ts
 * `serviceContext`) and passed as the first argument: `verb(ctx, input)`. Services read the
 * tenant, its settings and the caller's key from here, never from the request body. It is an
 * OperatorContext too, so a tenant route may call an operator service for its own tenant
 * (`updateTenant(ctx, ctx.tenant.id, …)`), never for another.
 */
export interface ServiceContext extends OperatorContext {
  /** The caller's key: type and permissions. */
  principal: TenantPrincipal;
  /** The tenant row the authentication already loaded (no second read). */
  tenant: TenantRow;
  /** The tenant's stored defaults (the second layer of the cascade). */
  settings: TenantSettings;
  correlationId: string;
  /** The request's `Idempotency-Key`, when its route decides it at admission (gate/admit.ts). */
  idempotencyKey?: KeyClaim;
}
