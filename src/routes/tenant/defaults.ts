import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { TenantSettingsSchema } from "../../services/tenants/settings";
import { TenantSettingsViewSchema, viewSettings } from "../../services/tenants/settings-view";
import { updateTenantDefaults } from "../../services/tenants/tenants";
import { serviceContext } from "../context";
import { nullableKeys } from "../tenants/schemas";

const getRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/defaults",
  tags: ["Tenant"],
  summary: "Your tenant defaults (region, sender, providers, chat targets, params)",
  ...tenantAccess("read"),
  responses: {
    200: { description: "The defaults (secrets shown only as `secretSet`)", content: { "application/json": { schema: TenantSettingsViewSchema } } },
    ...problemResponses(401, 403),
  },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/api/v1/tenant/defaults",
  tags: ["Tenant"],
  summary: "Change your tenant defaults",
  description:
    "Top-level keys merge; a `null` value clears a key back to the system default. Providers must be configured on this deployment. " +
    "`msgApp` is replaced whole, and reads never answer secrets (only `secretSet`), so send each webhook target's `secret` again whenever you send `msgApp`.",
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: nullableKeys(TenantSettingsSchema) } } } },
  responses: {
    200: { description: "The defaults after the change (secrets shown only as `secretSet`)", content: { "application/json": { schema: TenantSettingsViewSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

export function registerTenantDefaults(app: App): void {
  // The row authentication read is current for this request: answering it costs no second read.
  app.openapi(getRoute, async (c) => c.json(viewSettings(serviceContext(c).settings), 200));
  app.openapi(patchRoute, async (c) => {
    const view = await updateTenantDefaults(serviceContext(c), c.req.valid("json"));
    return c.json(view.settings, 200);
  });
}
