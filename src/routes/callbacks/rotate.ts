import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { rotateCallbackSecret } from "../../services/callbacks/registrations";
import { serviceContext } from "../context";
import { CallbackIdParamSchema, COLLECTION, RotatedSecretSchema, TAG } from "./schemas";

const route = createRoute({
  method: "post",
  path: `${COLLECTION}/{callbackId}/rotateSecret`,
  tags: [TAG],
  summary: "Rotate a status callback's signing secret",
  description:
    "Answers a new secret, once. For 24 hours events carry two signatures in `webhook-signature` (`v1,<new> v1,<previous>`), so your receiver can switch secrets without rejecting any; after that, only the new one signs. Rotating again within the window drops the oldest secret.",
  ...tenantAccess("manage"),
  request: { params: CallbackIdParamSchema },
  responses: {
    200: { description: "The new secret", content: { "application/json": { schema: RotatedSecretSchema } } },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export function registerRotateCallbackSecret(app: App): void {
  app.openapi(route, async (c) => c.json(await rotateCallbackSecret(serviceContext(c), c.req.valid("param").callbackId), 200));
}
