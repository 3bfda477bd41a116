import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { createApiKey } from "../../services/api-keys/api-keys";
import { getTenant } from "../../services/tenants/tenants";
import { TenantIdParamSchema } from "../tenants/schemas";
import { CreateApiKeySchema, CreatedApiKeySchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/tenants/{tenantId}/api-keys",
  tags: ["Operator"],
  summary: "Issue an API key",
  description: "Answers the key once, in the combined form GOV.UK Notify clients expect. Only a hash and an encrypted copy are stored.",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: {
    params: TenantIdParamSchema,
    body: { required: true, content: { "application/json": { schema: CreateApiKeySchema } } },
  },
  responses: {
    201: { description: "The key, with its secret", content: { "application/json": { schema: CreatedApiKeySchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export function registerCreateApiKey(app: App): void {
  app.openapi(route, async (c) => {
    const ctx = operatorContext(c);
    const tenant = await getTenant(ctx, c.req.valid("param").tenantId);
    const key = await createApiKey(ctx, tenant.id, c.req.valid("json"));
    c.header("Location", `/api/v1/tenants/${tenant.id}/api-keys/${key.id}`);
    c.header("Cache-Control", "no-store");
    return c.json(key, 201);
  });
}
