import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { updateEventType, withoutSecrets } from "../../services/event-types/event-types";
import { UpdateEventTypeSchema } from "../../services/event-types/schema";
import { serviceContext } from "../context";
import { EventTypeParamSchema, EventTypeSchema } from "./schemas";

const route = createRoute({
  method: "patch",
  path: "/api/v1/notifyevent/types/{eventType}",
  tags: ["Event types"],
  summary: "Update an event type: every change is a new version",
  description:
    "`name`, `description` (`null` clears it) and `enabled` replace their values; a channel given replaces that channel whole, `null` removes it. " +
    "`{}` is a 400 (nothing to change); a patch that changes nothing writes no version and answers the current one. Each send records the version it used.",
  ...tenantAccess("manage"),
  request: {
    params: EventTypeParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateEventTypeSchema } } },
  },
  responses: {
    200: { description: "The new version, or the current one when nothing changed", content: { "application/json": { schema: EventTypeSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export function registerUpdateEventType(app: App): void {
  app.openapi(route, async (c) => c.json(withoutSecrets(await updateEventType(serviceContext(c), c.req.valid("param").eventType, c.req.valid("json"))), 200));
}
