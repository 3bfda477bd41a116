import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listCallbacks } from "../../services/callbacks/registrations";
import { serviceContext } from "../context";
import { CallbackViewSchema, COLLECTION, TAG } from "./schemas";

const route = createRoute({
  method: "get",
  path: COLLECTION,
  tags: [TAG],
  summary: "List status callbacks, newest first",
  ...tenantAccess("manage"),
  request: { query: PageQuerySchema },
  responses: {
    200: { description: "A page of registrations", content: { "application/json": { schema: pageListSchema(CallbackViewSchema, "CallbackRegistrationList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListCallbacks(app: App): void {
  app.openapi(route, async (c) => c.json(await listCallbacks(serviceContext(c), toPageRequest(c.req.valid("query"))), 200));
}
