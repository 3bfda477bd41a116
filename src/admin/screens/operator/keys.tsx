import type { Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { audit } from "../../../services/admin-identity";
import { type ApiKeyView, createApiKey, getApiKey, revokeApiKey } from "../../../services/api-keys/api-keys";
import type { OperatorContext } from "../../../services/context";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { ConfirmRevokeKeyPage, CreatedKeyPage } from "../settings/api-keys/components";
import { checkCreateKeyForm, readCreateKeyForm } from "../settings/api-keys/shared";
import { formErrorOf, renderDetail } from "./detail";
import { isUuid, tenantOr404, tenantPath } from "./shared";

/**
 * A tenant's API keys from its operator page: `POST /admin/tenants/:id/api-keys` creates one
 * with the operator API's own schema and answers the page that shows it, the only time it is
 * shown (never stored in the clear, never in a URL or the audit entry); `GET|POST
 * /admin/tenants/:id/api-keys/:keyId/revoke` confirms and revokes. The system tenant is refused
 * by the service (422), shown at the form.
 */
export function registerOperatorKeyScreens(admin: Hono<AdminEnv>): void {
  admin.post("/tenants/:id/api-keys", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const form = await readCreateKeyForm(c);
    const checked = checkCreateKeyForm(form, { name: "key-name", type: "key-type-live", permissions: "key-permission-send" });
    if ("errors" in checked) return renderDetail(c, tenant, { errors: checked.errors, key: form }, 422);
    let key;
    try {
      // newNameOnly: this form posted twice (or its result page reloaded) makes one key, not two nobody saw.
      key = await createApiKey(ctx, tenant.id, checked.input, { newNameOnly: true });
    } catch (err) {
      return renderDetail(c, tenant, { errors: [formErrorOf(err, "key-name")], key: form }, err instanceof ApiError && err.status === 409 ? 409 : 422);
    }
    await audit(ctx, "api_key.created", `api_key:${key.id}`, { name: key.name, type: key.type, permissions: key.permissions }, { tenantId: tenant.id });
    return page(
      c,
      "API key created",
      <CreatedKeyPage
        tenantName={tenant.name}
        name={key.name}
        type={key.type}
        permissions={key.permissions}
        secret={key.key}
        heading="Copy the key now"
        advice="Give it to the tenant through a safe channel. If it is lost, revoke it and create another."
        back={tenantPath(tenant.id)}
        backLabel={`Back to ${tenant.name}`}
      />,
    );
  });

  admin.get("/tenants/:id/api-keys/:keyId/revoke", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const key = await keyOr404(ctx, tenant.id, c.req.param("keyId"));
    if (key.revokedAt) return c.redirect(tenantPath(tenant.id), 303);
    return page(c, "Revoke API key", <ConfirmRevokeKeyPage apiKey={key} action={`${tenantPath(tenant.id)}/api-keys/${key.id}/revoke`} back={tenantPath(tenant.id)} backLabel={`Back to ${tenant.name}`} tenantName={tenant.name} />);
  });

  admin.post("/tenants/:id/api-keys/:keyId/revoke", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const key = await keyOr404(ctx, tenant.id, c.req.param("keyId"));
    if (!key.revokedAt) {
      await revokeApiKey(ctx, tenant.id, key.id);
      await audit(ctx, "api_key.revoked", `api_key:${key.id}`, { name: key.name, type: key.type }, { tenantId: tenant.id });
    }
    return c.redirect(`${tenantPath(tenant.id)}?done=revoked`, 303);
  });
}

async function keyOr404(ctx: OperatorContext, tenantId: string, id: string): Promise<ApiKeyView> {
  const notFound = new AdminPageError(404, "There is no such API key.");
  if (!isUuid(id)) throw notFound;
  try {
    return await getApiKey(ctx, tenantId, id.toLowerCase());
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw notFound;
    throw err;
  }
}
