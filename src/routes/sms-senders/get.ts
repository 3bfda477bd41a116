import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getSmsSender, toSmsSenderView } from "../../services/senders/sms-senders";
import { serviceContext } from "../context";
import { SMS_SENDER_TAG, SmsSenderIdParamSchema, SmsSenderSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant/sms-senders/{senderId}",
  tags: [SMS_SENDER_TAG],
  summary: "Get an SMS sender",
  ...tenantAccess("read"),
  request: { params: SmsSenderIdParamSchema },
  responses: {
    200: { description: "The sender", content: { "application/json": { schema: SmsSenderSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetSmsSender(app: App): void {
  app.openapi(route, async (c) => c.json(toSmsSenderView(await getSmsSender(serviceContext(c), c.req.valid("param").senderId)), 200));
}
