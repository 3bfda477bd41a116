import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listEventTypes, withoutSecrets } from "../../services/event-types/event-types";
import { serviceContext } from "../context";
import { EventTypeSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/notifyevent/types",
  tags: ["Event types"],
  summary: "List event types, newest first",
  ...tenantAccess("read"),
  request: { query: PageQuerySchema },
  responses: {
    200: { description: "A page of event types (current versions)", content: { "application/json": { schema: pageListSchema(EventTypeSchema, "EventTypeList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListEventTypes(app: App): void {
  app.openapi(route, async (c) => {
    const page = await listEventTypes(serviceContext(c), toPageRequest(c.req.valid("query")));
    return c.json({ ...page, items: page.items.map(withoutSecrets) }, 200);
  });
}
