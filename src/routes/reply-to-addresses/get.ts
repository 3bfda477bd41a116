import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getReplyTo, toReplyToView } from "../../services/senders/reply-to";
import { serviceContext } from "../context";
import { REPLY_TO_TAG, ReplyToIdParamSchema, ReplyToSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant/reply-to-addresses/{replyToId}",
  tags: [REPLY_TO_TAG],
  summary: "Get a reply-to address",
  ...tenantAccess("read"),
  request: { params: ReplyToIdParamSchema },
  responses: {
    200: { description: "The address", content: { "application/json": { schema: ReplyToSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetReplyTo(app: App): void {
  app.openapi(route, async (c) => c.json(toReplyToView(await getReplyTo(serviceContext(c), c.req.valid("param").replyToId)), 200));
}
