import type { Db } from "../../db/client";
import type { TenantRow } from "../../db/schema";
import type { Env } from "../../env";
import type { TenantPrincipal } from "../../lib/app-env";
import type { TenantSettings } from "../tenants/settings";

/** Everything a send needs, built once per request by the route and passed down explicitly. */
export interface SendContext {
  db: Db;
  env: Env;
  principal: TenantPrincipal;
  tenant: TenantRow;
  settings: TenantSettings;
  correlationId: string;
  requestId: string;
  now: Date;
  /** Origin for absolute status URLs, e.g. https://notify.example.gov */
  origin: string;
}
