import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { createSmsSender } from "../../services/senders/sms-senders";
import { MAX_SENDERS_PER_TENANT } from "../../services/senders/store";
import { serviceContext } from "../context";
import { CreateSmsSenderSchema, SMS_SENDER_TAG, SmsSenderSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/tenant/sms-senders",
  tags: [SMS_SENDER_TAG],
  summary: "Add an SMS sender",
  description: `An alphanumeric id (up to 11 characters), a short code, or a phone number (normalised to E.164, national numbers read in the tenant's \`defaultRegion\`); anything else is a 422 at \`sender\`. \`inbound: true\` is a 422 at \`inbound\`: only the operator assigns numbers that receive texts (POST /api/v1/tenants/{tenantId}/inbound-numbers). The same sender twice, or more than ${MAX_SENDERS_PER_TENANT}, is a 409. \`isDefault: true\` makes it the only default.`,
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateSmsSenderSchema } } } },
  responses: {
    201: { description: "The sender", content: { "application/json": { schema: SmsSenderSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function registerCreateSmsSender(app: App): void {
  app.openapi(route, async (c) => {
    const view = await createSmsSender(serviceContext(c), c.req.valid("json"));
    c.header("Location", `/api/v1/tenant/sms-senders/${view.id}`);
    return c.json(view, 201);
  });
}
