import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { deleteReplyTo } from "../../services/senders/reply-to";
import { serviceContext } from "../context";
import { REPLY_TO_TAG, ReplyToIdParamSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/tenant/reply-to-addresses/{replyToId}",
  tags: [REPLY_TO_TAG],
  summary: "Delete a reply-to address",
  description: "Deleting the default leaves no default; notifications already stored keep the address they resolved.",
  ...tenantAccess("manage"),
  request: { params: ReplyToIdParamSchema },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteReplyTo(app: App): void {
  app.openapi(route, async (c) => {
    await deleteReplyTo(serviceContext(c), c.req.valid("param").replyToId);
    return c.body(null, 204);
  });
}
