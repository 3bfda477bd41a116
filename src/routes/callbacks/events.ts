import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listCallbackEvents } from "../../services/callbacks/events";
import { serviceContext } from "../context";
import { NotifyIdParamSchema } from "../notify/schemas";
import { CallbackEventSchema, TAG } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/notify/{notifyId}/callbacks",
  tags: [TAG],
  summary: "A notification's status callback events and their attempts, newest first",
  description:
    "One event per message status change and registration it was reported to, with its state (pending, delivering, delivered, failed) and every POST made: when, how long, the HTTP status, the error, and the start of your receiver's answer. Keyset pages, like the other lists.",
  ...tenantAccess("read"),
  request: { params: NotifyIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { description: "A page of events", content: { "application/json": { schema: pageListSchema(CallbackEventSchema, "CallbackEventList") } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerListCallbackEvents(app: App): void {
  app.openapi(route, async (c) => c.json(await listCallbackEvents(serviceContext(c), c.req.valid("param").notifyId, toPageRequest(c.req.valid("query"))), 200));
}
