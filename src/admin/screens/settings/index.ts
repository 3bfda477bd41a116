import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerAuditScreen } from "./audit";
import { registerCallbackScreens } from "./callbacks";
import { registerDefaultsScreens } from "./defaults";
import { registerSettingsOverview } from "./overview";
import { registerSenderScreens } from "./senders";

/**
 * Settings: the index page, tenant defaults, reply-to addresses and SMS senders, status
 * callbacks, the audit log (API keys register themselves from app.tsx), each calling the API's own services with its routes' permissions.
 */
export function registerSettingsScreens(admin: Hono<AdminEnv>): void {
  registerSettingsOverview(admin);
  registerDefaultsScreens(admin);
  registerSenderScreens(admin);
  registerCallbackScreens(admin);
  registerAuditScreen(admin);
}
