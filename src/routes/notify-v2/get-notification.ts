import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getV2Notification } from "../../services/notify-v2/notifications";
import { serviceContext } from "../context";
import { notifyErrorResponses, registerV2 } from "./framework";
import { V2NotificationSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v2/notifications/{notification_id}",
  summary: "One notification (GOV.UK Notify v2)",
  description:
    "Every key Notify returns, absent values null (letter address lines included). Any key of the tenant reads any of its notifications; another tenant's or an unknown id is 404 NoResultFound, a non-UUID id 400 `notification_id is not a valid UUID`.",
  ...tenantAccess("read"),
  request: {
    params: z.object({
      notification_id: z
        .string()
        .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "is not a valid UUID")
        .openapi({ param: { name: "notification_id", in: "path" }, description: "The id the send answered" }),
    }),
  },
  responses: {
    200: { description: "The notification", content: { "application/json": { schema: V2NotificationSchema } } },
    ...notifyErrorResponses(400, 401, 403, 404),
  },
});

export function registerV2GetNotification(app: App): void {
  registerV2(app, route, async (c) => c.json(await getV2Notification(serviceContext(c), c.req.valid("param").notification_id), 200));
}
