import type { Db } from "../db/client";
import type { TenantRow } from "../db/schema";
import type { Env } from "../env";
import type { TenantPrincipal } from "../lib/app-env";
import type { TenantSettings } from "./tenants/settings";

/**
 * What every tenant service receives, built once per request (routes/context.ts) and passed as
 * the first argument: `verb(ctx, input)`. Services read the tenant, its settings and the
 * caller's key from here, never from the request body.
 */
export interface ServiceContext {
  db: Db;
  env: Env;
  /** The caller's key: type and permissions. */
  principal: TenantPrincipal;
  tenant: TenantRow;
  /** The tenant's stored defaults (the second layer of the cascade). */
  settings: TenantSettings;
  requestId: string;
  correlationId: string;
  /** The request's clock: one instant for every decision a request makes. */
  now: Date;
  /** Origin for absolute URLs (PUBLIC_ORIGIN when set), e.g. https://notify.example.gov */
  origin: string;
}
