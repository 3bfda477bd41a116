import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listReplyTos } from "../../services/senders/reply-to";
import { serviceContext } from "../context";
import { REPLY_TO_TAG, ReplyToListSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant/reply-to-addresses",
  tags: [REPLY_TO_TAG],
  summary: "List reply-to addresses",
  ...tenantAccess("read"),
  responses: {
    200: { description: "Every address", content: { "application/json": { schema: ReplyToListSchema } } },
    ...problemResponses(401, 403),
  },
});

export function registerListReplyTos(app: App): void {
  app.openapi(route, async (c) => c.json(await listReplyTos(serviceContext(c)), 200));
}
