import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { updateTenant } from "../../services/tenants/tenants";
import { TenantIdParamSchema, TenantSchema, UpdateTenantSchema } from "./schemas";

const route = createRoute({
  method: "patch",
  path: "/api/v1/tenants/{tenantId}",
  tags: ["Operator"],
  summary: "Update a tenant (name, trial or live, limits, settings)",
  description: "Partial update: `limits` and `settings` merge key by key; a `null` value resets that key to the system default.",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: {
    params: TenantIdParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateTenantSchema } } },
  },
  responses: {
    200: { description: "The updated tenant", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export function registerUpdateTenant(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await updateTenant(operatorContext(c), c.req.valid("param").tenantId, c.req.valid("json")), 200),
  );
}
