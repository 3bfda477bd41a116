import type { Hono } from "hono";
import type { AdminEnv } from "../../../env";
import { registerCreateApiKeyScreen } from "./create";
import { registerApiKeysList } from "./list";
import { registerRevokeApiKeyScreen } from "./revoke";

/**
 * Settings → API keys (manage): the list, the create form whose result page shows the key once,
 * and revoking after a confirmation page. Every call goes through services/api-keys for the
 * session's tenant (the operator API's service, never another tenant's id).
 */
export function registerApiKeyScreens(admin: Hono<AdminEnv>): void {
  registerApiKeysList(admin);
  registerCreateApiKeyScreen(admin);
  registerRevokeApiKeyScreen(admin);
}
