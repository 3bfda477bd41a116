import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getEventType, toEventTypeView, withoutSecrets } from "../../services/event-types/event-types";
import { serviceContext } from "../context";
import { EventTypeParamSchema, EventTypeSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/notifyevent/types/{eventType}",
  tags: ["Event types"],
  summary: "Get an event type by id or code (its current version)",
  ...tenantAccess("read"),
  request: { params: EventTypeParamSchema },
  responses: {
    200: { description: "The event type", content: { "application/json": { schema: EventTypeSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetEventType(app: App): void {
  app.openapi(route, async (c) => c.json(withoutSecrets(toEventTypeView(await getEventType(serviceContext(c), c.req.valid("param").eventType))), 200));
}
