import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { releaseInboundNumber } from "../../services/senders/inbound-numbers";
import { operatorContext } from "../context";
import { InboundNumberParamsSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/tenants/{tenantId}/inbound-numbers/{senderId}",
  tags: ["Operator"],
  summary: "Release a tenant's inbound number",
  description: "Deletes the tenant's inbound sender: texts to the number are stored for nobody until it is assigned again; texts already received stay with the tenant. Not one of the tenant's inbound senders is a 404.",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: { params: InboundNumberParamsSchema },
  responses: { 204: { description: "Released" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerReleaseInboundNumber(app: App): void {
  app.openapi(route, async (c) => {
    const { tenantId, senderId } = c.req.valid("param");
    await releaseInboundNumber(operatorContext(c), tenantId, senderId);
    return c.body(null, 204);
  });
}
