import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { cancelNotification } from "../../services/notifications/notifications";
import { CancelResultSchema, NotifyIdParamSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/notify/{notifyId}",
  tags: ["Status"],
  summary: "Cancel what has not been sent",
  description:
    "Cancels every message not yet handed to a provider (scheduled, queued, or waiting to retry) and answers the notification's summary with its counts per status and how many messages this request cancelled; recipients are not included (reading them needs the `read` permission: GET the notification). Messages already sent are unaffected. 409 when nothing is left to cancel.",
  ...tenantAccess("send"),
  request: { params: NotifyIdParamSchema },
  responses: {
    200: { description: "The notification after cancelling", content: { "application/json": { schema: CancelResultSchema } } },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export function registerCancelNotification(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await cancelNotification(serviceContext(c), c.req.valid("param").notifyId), 200),
  );
}
