import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { removeSuppression, removeSuppressionOf } from "../../services/suppressions/suppressions";
import { serviceContext } from "../context";
import { RecipientQuerySchema, SuppressibleChannelSchema, SuppressionIdParamSchema } from "./schemas";

const byId = createRoute({
  method: "delete",
  path: "/api/v1/suppressions/{suppressionId}",
  tags: ["Suppressions"],
  summary: "Remove a suppression: the recipient is sent to again",
  ...tenantAccess("manage"),
  request: { params: SuppressionIdParamSchema },
  responses: { 204: { description: "Removed" }, ...problemResponses(400, 401, 403, 404) },
});

const byRecipient = createRoute({
  method: "delete",
  path: "/api/v1/suppressions",
  tags: ["Suppressions"],
  summary: "Remove the suppression of one recipient on one channel",
  description: "`?channel=email&recipient=Ann@Example.com`: the recipient is normalised first; 404 when it is not suppressed.",
  ...tenantAccess("manage"),
  request: { query: z.object({ channel: SuppressibleChannelSchema, recipient: RecipientQuerySchema }) },
  responses: { 204: { description: "Removed" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteSuppression(app: App): void {
  app.openapi(byId, async (c) => {
    await removeSuppression(await serviceContext(c), c.req.valid("param").suppressionId);
    return c.body(null, 204);
  });
  app.openapi(byRecipient, async (c) => {
    const { channel, recipient } = c.req.valid("query");
    await removeSuppressionOf(await serviceContext(c), channel, recipient);
    return c.body(null, 204);
  });
}
