import type { Hono } from "hono";
import { ApiError } from "../../../../lib/errors/api-error";
import { audit } from "../../../../services/admin-identity";
import { type ApiKeyView, getApiKey, revokeApiKey } from "../../../../services/api-keys/api-keys";
import type { ServiceContext } from "../../../../services/context";
import { tenantContextOf } from "../../../context";
import type { AdminEnv } from "../../../env";
import { AdminPageError } from "../../../errors";
import { page } from "../../../layout";
import { requireAdmin } from "../../../middleware";
import { ConfirmRevokeKeyPage } from "./components";
import { KEYS_PATH } from "./shared";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /admin/settings/api-keys/:id/revoke` (manage): the confirmation page; its POST revokes
 * the key at once (JWT and X-API-Key alike) and returns to the list. The key is looked up within
 * the session's tenant, so another tenant's key id is a 404 like an unknown one.
 */
export function registerRevokeApiKeyScreen(admin: Hono<AdminEnv>): void {
  admin.get("/settings/api-keys/:id/revoke", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const key = await ownKey(ctx, c.req.param("id"));
    if (key.revokedAt) return c.redirect(KEYS_PATH, 303);
    return page(c, "Revoke API key", <ConfirmRevokeKeyPage apiKey={key} action={`${KEYS_PATH}/${key.id}/revoke`} back={KEYS_PATH} backLabel="Back to API keys" />);
  });

  admin.post("/settings/api-keys/:id/revoke", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const id = c.req.param("id");
    const before = await ownKey(ctx, id);
    if (!before.revokedAt) {
      await revokeApiKey(ctx, ctx.tenant.id, before.id);
      await audit(ctx, "api_key.revoked", `api_key:${before.id}`, { name: before.name, type: before.type });
    }
    return c.redirect(`${KEYS_PATH}?revoked=1`, 303);
  });
}

async function ownKey(ctx: ServiceContext, id: string): Promise<ApiKeyView> {
  const notFound = new AdminPageError(404, "There is no such API key.");
  if (!UUID.test(id)) throw notFound;
  try {
    return await getApiKey(ctx, ctx.tenant.id, id.toLowerCase());
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw notFound;
    throw err;
  }
}
