import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getCallback, toCallbackView } from "../../services/callbacks/registrations";
import { serviceContext } from "../context";
import { CallbackIdParamSchema, CallbackViewSchema, COLLECTION, TAG } from "./schemas";

const route = createRoute({
  method: "get",
  path: `${COLLECTION}/{callbackId}`,
  tags: [TAG],
  summary: "Get a status callback",
  description: "Its secret is never answered again (rotate it for a new one); header values are redacted.",
  ...tenantAccess("manage"),
  request: { params: CallbackIdParamSchema },
  responses: {
    200: { description: "The registration", content: { "application/json": { schema: CallbackViewSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetCallback(app: App): void {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    return c.json(toCallbackView(await getCallback(ctx, c.req.valid("param").callbackId), ctx.now), 200);
  });
}
