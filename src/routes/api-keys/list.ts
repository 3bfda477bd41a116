import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { listApiKeys } from "../../services/api-keys/api-keys";
import { getTenant } from "../../services/tenants/tenants";
import { TenantIdParamSchema } from "../tenants/schemas";
import { ApiKeySchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenants/{tenantId}/api-keys",
  tags: ["Operator"],
  summary: "List a tenant's API keys (never their secrets)",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { params: TenantIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { description: "A page of keys", content: { "application/json": { schema: pageListSchema(ApiKeySchema, "ApiKeyList") } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerListApiKeys(app: App): void {
  app.openapi(route, async (c) => {
    const ctx = operatorContext(c);
    const tenant = await getTenant(ctx, c.req.valid("param").tenantId);
    return c.json(await listApiKeys(ctx, tenant.id, toPageRequest(c.req.valid("query"))), 200);
  });
}
