import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { listTenants } from "../../services/tenants/tenants";
import { TenantSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenants",
  tags: ["Operator"],
  summary: "List tenants, newest first",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { query: PageQuerySchema },
  responses: {
    200: { description: "A page of tenants", content: { "application/json": { schema: pageListSchema(TenantSchema, "TenantList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListTenants(app: App): void {
  app.openapi(route, async (c) => c.json(await listTenants(operatorContext(c), toPageRequest(c.req.valid("query"))), 200));
}
