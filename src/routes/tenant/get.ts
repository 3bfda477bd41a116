import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantSecurity } from "../../lib/security";
import { requireTenant } from "../../middleware/auth";
import { ApiKeyPermissionSchema, ApiKeyTypeSchema } from "../api-keys/schemas";
import { TenantStatusSchema } from "../tenants/schemas";

const WhoAmISchema = z
  .object({
    tenant: z.object({ id: z.uuid(), name: z.string(), status: TenantStatusSchema }),
    key: z.object({ id: z.uuid(), name: z.string(), type: ApiKeyTypeSchema, permissions: z.array(ApiKeyPermissionSchema) }),
    authMethod: z.enum(["jwt", "api-key"]),
  })
  .openapi("WhoAmI");

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant",
  tags: ["Tenant"],
  summary: "Who am I: the tenant and key behind these credentials",
  description: "Use it to check credentials: it answers 200 only when the JWT or API key is accepted. Any key may call it, whatever its permissions.",
  security: tenantSecurity,
  middleware: [requireTenant] as const,
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: WhoAmISchema } } },
    ...problemResponses(401, 403),
  },
});

export function registerWhoAmI(app: App): void {
  app.openapi(route, (c) => {
    const t = c.get("tenant");
    return c.json(
      {
        tenant: { id: t.tenantId, name: t.tenantName, status: t.tenantStatus },
        key: { id: t.keyId, name: t.keyName, type: t.keyType, permissions: [...t.permissions] },
        authMethod: t.authMethod,
      },
      200,
    );
  });
}
