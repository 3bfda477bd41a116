import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerCreateTenantScreen } from "./create";
import { registerTenantDetail } from "./detail";
import { registerFailuresScreen } from "./failures";
import { registerInboundNumberScreens } from "./inbound";
import { registerInviteScreen } from "./invite";
import { registerOperatorKeyScreens } from "./keys";
import { registerTenantsList } from "./list";
import { registerProvidersScreen } from "./providers";
import { registerSessionsScreen } from "./sessions";
import { registerViewAsScreens } from "./view-as";

/**
 * The operator's screens (requireAdmin("operator") on every route): tenants with their 7-day
 * volume, creating a tenant, a tenant's page (status, limits, keys, inbound numbers, inviting
 * its administrator), the providers' circuits, technical failures across tenants, signing out every operator session and a read-only, audited view as a tenant. They call the operator API's services with
 * the operator context; every change is audited under the tenant it touches.
 */
export function registerOperatorScreens(admin: Hono<AdminEnv>): void {
  registerTenantsList(admin);
  // Before /tenants/:id, so "new" is not taken for an id.
  registerCreateTenantScreen(admin);
  registerTenantDetail(admin);
  registerOperatorKeyScreens(admin);
  registerInboundNumberScreens(admin);
  registerInviteScreen(admin);
  registerProvidersScreen(admin);
  registerSessionsScreen(admin);
  registerFailuresScreen(admin);
  registerViewAsScreens(admin);
}
