import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listSmsSenders } from "../../services/senders/sms-senders";
import { serviceContext } from "../context";
import { SMS_SENDER_TAG, SmsSenderListSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant/sms-senders",
  tags: [SMS_SENDER_TAG],
  summary: "List SMS senders",
  ...tenantAccess("read"),
  responses: {
    200: { description: "Every sender", content: { "application/json": { schema: SmsSenderListSchema } } },
    ...problemResponses(401, 403),
  },
});

export function registerListSmsSenders(app: App): void {
  app.openapi(route, async (c) => c.json(await listSmsSenders(serviceContext(c)), 200));
}
