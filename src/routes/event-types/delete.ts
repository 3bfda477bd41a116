import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { deleteEventType } from "../../services/event-types/event-types";
import { serviceContext } from "../context";
import { EventTypeParamSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/notifyevent/types/{eventType}",
  tags: ["Event types"],
  summary: "Delete an event type",
  description: "Later sends naming it are a 422; notifications already sent keep the code and version they recorded. Its code may be used again.",
  ...tenantAccess("manage"),
  request: { params: EventTypeParamSchema },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteEventType(app: App): void {
  app.openapi(route, async (c) => {
    await deleteEventType(serviceContext(c), c.req.valid("param").eventType);
    return c.body(null, 204);
  });
}
