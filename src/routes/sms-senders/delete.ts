import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { deleteSmsSender } from "../../services/senders/sms-senders";
import { serviceContext } from "../context";
import { SMS_SENDER_TAG, SmsSenderIdParamSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/tenant/sms-senders/{senderId}",
  tags: [SMS_SENDER_TAG],
  summary: "Delete an SMS sender",
  description: "Deleting the default leaves no default; notifications already stored keep the sender they resolved; an inbound number is released (only the operator can assign it again).",
  ...tenantAccess("manage"),
  request: { params: SmsSenderIdParamSchema },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteSmsSender(app: App): void {
  app.openapi(route, async (c) => {
    await deleteSmsSender(serviceContext(c), c.req.valid("param").senderId);
    return c.body(null, 204);
  });
}
