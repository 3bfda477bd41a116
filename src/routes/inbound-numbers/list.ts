import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { listInboundNumbers } from "../../services/senders/inbound-numbers";
import { getTenant } from "../../services/tenants/tenants";
import { operatorContext } from "../context";
import { SmsSenderListSchema } from "../sms-senders/schemas";
import { TenantIdParamSchema } from "../tenants/schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenants/{tenantId}/inbound-numbers",
  tags: ["Operator"],
  summary: "List a tenant's inbound numbers",
  description: "The tenant's SMS senders with `inbound: true`, oldest first (including any a tenant claimed before only the operator could assign them).",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { params: TenantIdParamSchema },
  responses: {
    200: { description: "Every inbound number of the tenant", content: { "application/json": { schema: SmsSenderListSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerListInboundNumbers(app: App): void {
  app.openapi(route, async (c) => {
    const ctx = operatorContext(c);
    const tenant = await getTenant(ctx, c.req.valid("param").tenantId);
    return c.json(await listInboundNumbers(ctx, tenant.id), 200);
  });
}
