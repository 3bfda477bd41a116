import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { replayCallbackEvent } from "../../services/callbacks/events";
import { serviceContext } from "../context";
import { CallbackEventSchema, EventIdParamSchema, TAG } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notify/{notifyId}/callbacks/{eventId}/replay",
  tags: [TAG],
  summary: "Replay a status callback event",
  description:
    "Queues the event again as a new series of attempts (the whole retry schedule), with the same `webhook-id`, to the registration's current URL and secret. Any event may be replayed, failed or not; one being POSTed at this moment is a 409.",
  ...tenantAccess("manage"),
  request: { params: EventIdParamSchema },
  responses: {
    202: { description: "Queued", content: { "application/json": { schema: CallbackEventSchema } } },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export function registerReplayCallbackEvent(app: App): void {
  app.openapi(route, async (c) => {
    const { notifyId, eventId } = c.req.valid("param");
    return c.json(await replayCallbackEvent(serviceContext(c), notifyId, eventId), 202);
  });
}
