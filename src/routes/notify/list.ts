import { createRoute, z } from "@hono/zod-openapi";
import { CHANNELS, NOTIFICATION_STATUSES } from "../../db/schema";
import { fieldError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { listNotifications } from "../../services/notifications/notifications";
import { NotificationSummarySchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/notify",
  tags: ["Status"],
  summary: "Search notification history, newest first",
  description: "Filters combine (AND). `from`/`to` bound the creation time (inclusive). Pages are keyset-based: a cursor stays valid and stable while new notifications arrive.",
  ...tenantAccess("read"),
  request: {
    query: PageQuerySchema.extend({
      correlationId: z.string().max(128).optional(),
      status: z.enum(NOTIFICATION_STATUSES).optional(),
      channel: z.enum(CHANNELS).optional(),
      tag: z.string().max(64).optional(),
      from: z.iso.datetime({ offset: true }).optional().openapi({ example: "2026-11-01T00:00:00Z" }),
      to: z.iso.datetime({ offset: true }).optional().openapi({ example: "2026-11-30T23:59:59Z" }),
    }),
  },
  responses: {
    200: {
      description: "A page of notifications",
      content: { "application/json": { schema: pageListSchema(NotificationSummarySchema, "NotificationList") } },
    },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListNotifications(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from > to) throw fieldError("invalid_request", "query.from", "Must not be after `to`");
    const page = await listNotifications(
      serviceContext(c),
      { correlationId: query.correlationId, status: query.status, channel: query.channel, tag: query.tag, from, to },
      toPageRequest(query),
    );
    return c.json(page, 200);
  });
}
