import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { updateCallback } from "../../services/callbacks/registrations";
import { serviceContext } from "../context";
import { CallbackIdParamSchema, CallbackViewSchema, COLLECTION, TAG, UpdateCallbackSchema } from "./schemas";

const route = createRoute({
  method: "patch",
  path: `${COLLECTION}/{callbackId}`,
  tags: [TAG],
  summary: "Update a status callback",
  description:
    "Given fields replace the stored ones (`headers` as a whole set; `null` clears headers or description). The URL is checked again. `active: true` resumes a registration the service switched off after a 410 Gone.",
  ...tenantAccess("manage"),
  request: { params: CallbackIdParamSchema, body: { required: true, content: { "application/json": { schema: UpdateCallbackSchema } } } },
  responses: {
    200: { description: "The registration", content: { "application/json": { schema: CallbackViewSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export function registerUpdateCallback(app: App): void {
  app.openapi(route, async (c) => c.json(await updateCallback(serviceContext(c), c.req.valid("param").callbackId, c.req.valid("json")), 200));
}
