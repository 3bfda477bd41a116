import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { deleteCallback } from "../../services/callbacks/registrations";
import { serviceContext } from "../context";
import { CallbackIdParamSchema, COLLECTION, TAG } from "./schemas";

const route = createRoute({
  method: "delete",
  path: `${COLLECTION}/{callbackId}`,
  tags: [TAG],
  summary: "Delete a status callback",
  description: "No further events are made for it; events already owed and not yet delivered end as failed. Stored defaults naming it are skipped by later sends.",
  ...tenantAccess("manage"),
  request: { params: CallbackIdParamSchema },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteCallback(app: App): void {
  app.openapi(route, async (c) => {
    await deleteCallback(serviceContext(c), c.req.valid("param").callbackId);
    return c.body(null, 204);
  });
}
