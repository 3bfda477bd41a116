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
import { KEYS_PATH, KeyTypeTag, when } from "./shared";

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
    return page(c, "Revoke API key", <ConfirmRevokePage apiKey={key} />);
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

function ConfirmRevokePage({ apiKey }: { apiKey: ApiKeyView }) {
  return (
    <>
      <a class="back-link" href={KEYS_PATH}>
        Back to API keys
      </a>
      <h1 class="heading-l">Are you sure you want to revoke ‘{apiKey.name}’?</h1>
      <dl class="summary-list">
        <div class="summary-list__row">
          <dt class="summary-list__key">Type</dt>
          <dd class="summary-list__value">
            <KeyTypeTag type={apiKey.type} />
          </dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Permissions</dt>
          <dd class="summary-list__value">{apiKey.permissions.join(", ")}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Created</dt>
          <dd class="summary-list__value">{when(apiKey.createdAt)}</dd>
        </div>
      </dl>
      <p class="body">Applications using this key stop working at once. This cannot be undone.</p>
      <form method="post" action={`${KEYS_PATH}/${apiKey.id}/revoke`}>
        <button type="submit" class="button button--warning">
          Revoke key
        </button>
      </form>
      <p class="body">
        <a href={KEYS_PATH}>Cancel</a>
      </p>
    </>
  );
}
