import { createRoute, z } from "@hono/zod-openapi";
import { CHANNELS, MESSAGE_STATUSES } from "../../db/schema";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { listNotificationMessages } from "../../services/notifications/messages";
import { MessageSchema, NotifyIdParamSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/notify/{notifyId}/messages",
  tags: ["Status"],
  summary: "A notification's messages, a page at a time, newest first",
  description:
    "One entry per channel and recipient, in the shape `GET /api/v1/notify/{notifyId}` uses, for notifications too large to read whole (a mail merge). Filters combine (AND). Pages are keyset-based: a cursor stays valid and stable while new messages arrive.",
  ...tenantAccess("read"),
  request: {
    params: NotifyIdParamSchema,
    query: PageQuerySchema.extend({
      status: z.enum(MESSAGE_STATUSES).optional(),
      channel: z.enum(CHANNELS).optional(),
    }),
  },
  responses: {
    200: {
      description: "A page of the notification's messages",
      content: { "application/json": { schema: pageListSchema(MessageSchema, "MessageList") } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerListNotificationMessages(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const page = await listNotificationMessages(
      serviceContext(c),
      c.req.valid("param").notifyId,
      { status: query.status, channel: query.channel },
      toPageRequest(query),
    );
    return c.json(page, 200);
  });
}
