import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { listNotificationAttempts } from "../../services/notifications/attempts";
import { AttemptSchema, NotifyIdParamSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/notify/{notifyId}/attempts",
  tags: ["Status"],
  summary: "A notification's provider attempts, a page at a time, newest first",
  description:
    "Every attempt to hand the notification's messages to a provider: which provider, when, and how it ended (with failover, one message may show attempts with several providers). `messageId` keeps only the attempts of that message's provider call. Keyset pages, like the other lists.",
  ...tenantAccess("read"),
  request: {
    params: NotifyIdParamSchema,
    query: PageQuerySchema.extend({
      messageId: z.uuid().optional().openapi({ description: "Only the attempts that carried this message (a messageId of GET /api/v1/notify/{notifyId}/messages)" }),
    }),
  },
  responses: {
    200: { description: "A page of the notification's attempts", content: { "application/json": { schema: pageListSchema(AttemptSchema, "DeliveryAttemptList") } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerListNotificationAttempts(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const page = await listNotificationAttempts(serviceContext(c), c.req.valid("param").notifyId, { messageId: query.messageId }, toPageRequest(query));
    return c.json(page, 200);
  });
}
