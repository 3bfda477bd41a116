import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getLegacyNotification } from "../../services/notify-legacy/legacy";
import { serviceContext } from "../context";
import { LEGACY_TAG, LegacyNotificationEnvelopeSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/notifications/{id}",
  tags: [LEGACY_TAG],
  summary: "One notification (the seed's early API)",
  description: "The notification's first email or SMS message in the seed's shape. Another tenant's id, an unknown one and a chat-only notification are 404.",
  ...tenantAccess("read"),
  request: { params: z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" }, description: "The id the send answered" }) }) },
  responses: {
    200: { description: "The notification", content: { "application/json": { schema: LegacyNotificationEnvelopeSchema } } },
    ...problemResponses(401, 403, 404),
  },
});

export function registerLegacyGetNotification(app: App): void {
  app.openapi(route, async (c) => c.json({ data: { notification: await getLegacyNotification(serviceContext(c), c.req.valid("param").id) } }, 200));
}
