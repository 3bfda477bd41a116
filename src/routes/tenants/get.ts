import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { getTenant, toTenantView } from "../../services/tenants/tenants";
import { dataRegion } from "../../lib/regions";
import { TenantIdParamSchema, TenantSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenants/{tenantId}",
  tags: ["Operator"],
  summary: "Get a tenant",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { params: TenantIdParamSchema },
  responses: {
    200: { description: "The tenant", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetTenant(app: App): void {
  app.openapi(route, async (c) => c.json(toTenantView(await getTenant(operatorContext(c), c.req.valid("param").tenantId), dataRegion(c.env)), 200));
}
