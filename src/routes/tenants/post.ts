import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { createTenant } from "../../services/tenants/tenants";
import { CreateTenantSchema, TenantSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/tenants",
  tags: ["Operator"],
  summary: "Create a tenant",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateTenantSchema } } } },
  responses: {
    201: { description: "The new tenant", content: { "application/json": { schema: TenantSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

export function registerCreateTenant(app: App): void {
  app.openapi(route, async (c) => {
    const tenant = await createTenant(operatorContext(c), c.req.valid("json"));
    c.header("Location", `/api/v1/tenants/${tenant.id}`);
    return c.json(tenant, 201);
  });
}
