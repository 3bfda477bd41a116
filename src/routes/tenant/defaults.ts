import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantSecurity } from "../../lib/security";
import { requireTenant } from "../../middleware/auth";
import { TenantSettingsSchema } from "../../services/tenants/settings";
import { getTenant, toTenantView, updateTenant } from "../../services/tenants/tenants";
import { nullableKeys } from "../tenants/schemas";

const getRoute = createRoute({
  method: "get",
  path: "/api/v1/tenant/defaults",
  tags: ["Tenant"],
  summary: "Your tenant defaults (region, sender, providers, chat targets, params)",
  security: tenantSecurity,
  middleware: [requireTenant] as const,
  responses: {
    200: { description: "The defaults", content: { "application/json": { schema: TenantSettingsSchema } } },
    ...problemResponses(401, 403),
  },
});

const patchRoute = createRoute({
  method: "patch",
  path: "/api/v1/tenant/defaults",
  tags: ["Tenant"],
  summary: "Change your tenant defaults",
  description: "Top-level keys merge; a `null` value clears a key back to the system default. Providers must be configured on this deployment.",
  security: tenantSecurity,
  middleware: [requireTenant] as const,
  request: { body: { required: true, content: { "application/json": { schema: nullableKeys(TenantSettingsSchema) } } } },
  responses: {
    200: { description: "The defaults after the change", content: { "application/json": { schema: TenantSettingsSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

export function registerTenantDefaults(app: App): void {
  app.openapi(getRoute, async (c) => c.json(toTenantView(await getTenant(c.get("db"), c.get("tenant").tenantId)).settings, 200));
  app.openapi(patchRoute, async (c) => {
    const view = await updateTenant(c.get("db"), c.env, c.get("tenant").tenantId, { settings: c.req.valid("json") }, "");
    return c.json(view.settings, 200);
  });
}
