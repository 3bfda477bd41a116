import type { Hono } from "hono";
import type { AdminEnv } from "../../env";
import { registerAuditScreen } from "./audit";
import { registerCallbackScreens } from "./callbacks";
import { registerChatTargetScreens } from "./chat-targets";
import { registerDefaultsScreens } from "./defaults";
import { registerSettingsOverview } from "./overview";
import { registerSenderScreens } from "./senders";
import { registerServiceScreens } from "./services";
import { registerTeamScreens } from "./team";

/**
 * Settings: the index page, tenant defaults, reply-to addresses and SMS senders, status
 * callbacks, chat targets, subscription and attachment services, team members, the audit log (API keys register themselves from app.tsx), each calling the API's own services with its routes' permissions.
 */
export function registerSettingsScreens(admin: Hono<AdminEnv>): void {
  registerSettingsOverview(admin);
  registerDefaultsScreens(admin);
  registerSenderScreens(admin);
  registerCallbackScreens(admin);
  registerChatTargetScreens(admin);
  registerServiceScreens(admin);
  registerTeamScreens(admin);
  registerAuditScreen(admin);
}
