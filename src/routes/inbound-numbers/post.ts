import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { operatorSecurity } from "../../lib/security";
import { requireAdmin } from "../../middleware/auth";
import { assignInboundNumber } from "../../services/senders/inbound-numbers";
import { getTenant } from "../../services/tenants/tenants";
import { operatorContext } from "../context";
import { SmsSenderSchema } from "../sms-senders/schemas";
import { TenantIdParamSchema } from "../tenants/schemas";
import { AssignInboundNumberSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/tenants/{tenantId}/inbound-numbers",
  tags: ["Operator"],
  summary: "Assign an inbound number to a tenant",
  description:
    "The number becomes one of the tenant's SMS senders with `inbound: true`: texts sent to it (`/hooks/twilio/inbound`, `/hooks/vonage/inbound`) are stored for this tenant, and its STOPs suppress on this tenant's list. Only the operator assigns inbound numbers (tenant keys get a 422). A number the tenant already sends from becomes inbound in place (200, same id); a new sender is a 201. Not a phone number is a 422 at `number`; a number another tenant receives on is a 409 at `number` naming that tenant.",
  security: operatorSecurity,
  middleware: [requireAdmin] as const,
  request: {
    params: TenantIdParamSchema,
    body: { required: true, content: { "application/json": { schema: AssignInboundNumberSchema } } },
  },
  responses: {
    200: { description: "The tenant's existing sender, now inbound", content: { "application/json": { schema: SmsSenderSchema } } },
    201: { description: "The new inbound sender", content: { "application/json": { schema: SmsSenderSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export function registerAssignInboundNumber(app: App): void {
  app.openapi(route, async (c) => {
    const ctx = operatorContext(c);
    const tenant = await getTenant(ctx, c.req.valid("param").tenantId);
    const { sender, created } = await assignInboundNumber(ctx, tenant, c.req.valid("json"));
    if (!created) return c.json(sender, 200);
    c.header("Location", `/api/v1/tenants/${tenant.id}/inbound-numbers/${sender.id}`);
    return c.json(sender, 201);
  });
}
