import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { createEventType, withoutSecrets } from "../../services/event-types/event-types";
import { CreateEventTypeSchema } from "../../services/event-types/schema";
import { serviceContext } from "../context";
import { EventTypeSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notifyevent/types",
  tags: ["Event types"],
  summary: "Create a notification event type",
  description:
    "The third layer of the cascade (System → Tenant → Event → Request). Each channel has the simple-send channel's shape with every field optional, plus `enabled`. " +
    "Stored only if a send could use it: templates exist for the channel, content parses (complete inline content is rendered once), recipient entries, senders, attachments and chat targets are valid; each problem is a 422 naming the field. `code` is unique among the tenant's live event types (409).",
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateEventTypeSchema } } } },
  responses: {
    201: { description: "The event type, version 1", content: { "application/json": { schema: EventTypeSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function registerCreateEventType(app: App): void {
  app.openapi(route, async (c) => {
    const view = await createEventType(serviceContext(c), c.req.valid("json"));
    c.header("Location", `/api/v1/notifyevent/types/${view.id}`);
    return c.json(withoutSecrets(view), 201);
  });
}
