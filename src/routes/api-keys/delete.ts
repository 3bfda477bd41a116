import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { operatorContext } from "../context";
import { revokeApiKey } from "../../services/api-keys/api-keys";
import { ApiKeyParamsSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/tenants/{tenantId}/api-keys/{keyId}",
  tags: ["Operator"],
  summary: "Revoke an API key",
  description: "Takes effect at once for both JWT and X-API-Key authentication. Revoking a revoked key is a no-op.",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { params: ApiKeyParamsSchema },
  responses: {
    204: { description: "Revoked" },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerRevokeApiKey(app: App): void {
  app.openapi(route, async (c) => {
    const { tenantId, keyId } = c.req.valid("param");
    await revokeApiKey(operatorContext(c), tenantId, keyId);
    return c.body(null, 204);
  });
}
