import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { LEGACY_MAX_PAGE, LEGACY_PAGE_SIZE, listLegacyNotifications } from "../../services/notify-legacy/legacy";
import { serviceContext } from "../context";
import { LEGACY_TAG, LegacyNotificationListSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/notifications",
  tags: [LEGACY_TAG],
  summary: "All notifications, a page at a time (the seed's early API)",
  description: `The tenant's email and SMS notifications, newest first, ${LEGACY_PAGE_SIZE} a page. A page past the last is an empty \`data\`. Pages stop at ${LEGACY_MAX_PAGE}; \`GET /api/v1/notify\` reads all of the history with a cursor.`,
  ...tenantAccess("read"),
  request: {
    query: z.object({
      page: z
        .string()
        .regex(/^\d{1,4}$/, `A whole number from 1 to ${LEGACY_MAX_PAGE}`)
        .transform(Number)
        .refine((n) => n >= 1 && n <= LEGACY_MAX_PAGE, `A whole number from 1 to ${LEGACY_MAX_PAGE}`)
        .optional()
        .openapi({ type: "string", description: "1-based page number (default 1)", example: "2" }),
    }),
  },
  responses: {
    200: { description: "A page of notifications", content: { "application/json": { schema: LegacyNotificationListSchema } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerLegacyListNotifications(app: App): void {
  app.openapi(route, async (c) => {
    const items = await listLegacyNotifications(serviceContext(c), c.req.valid("query").page ?? 1);
    return c.json({ data: items.map((notification) => ({ notification })) }, 200);
  });
}
