import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { getNotification } from "../../services/notifications/notifications";
import { NotificationSchema, NotifyIdParamSchema } from "./schemas";

function statusRoute(path: string, summary: string) {
  return createRoute({
    method: "get",
    path,
    tags: ["Status"],
    summary,
    description:
      "Overall status (accepted, scheduled, sending, delivered, partially-failed, failed, cancelled) and one entry per channel and recipient with its status (created, scheduled, sending, delivered, permanent-failure, temporary-failure, technical-failure, cancelled), provider, timestamps and error.",
    ...tenantAccess("read"),
    request: { params: NotifyIdParamSchema },
    responses: {
      200: { description: "The notification", content: { "application/json": { schema: NotificationSchema } } },
      ...problemResponses(400, 401, 403, 404),
    },
  });
}

export function registerGetNotification(app: App): void {
  for (const route of [
    statusRoute("/api/v1/notify/{notifyId}", "Status of a notification and each of its messages"),
    statusRoute("/api/v1/notify/status/{notifyId}", "Status of a notification (the design spec's path)"),
  ]) {
    app.openapi(route, async (c) =>
      c.json(await getNotification(serviceContext(c), c.req.valid("param").notifyId), 200),
    );
  }
}
