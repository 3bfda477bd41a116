import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listSuppressions } from "../../services/suppressions/suppressions";
import { serviceContext } from "../context";
import { RecipientQuerySchema, SuppressibleChannelSchema, SuppressionSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/suppressions",
  tags: ["Suppressions"],
  summary: "List suppressed recipients, newest first",
  description: "Filter by `channel` and by `recipient` (normalised like the entries: any spelling of the address or number finds it).",
  ...tenantAccess("read"),
  request: { query: PageQuerySchema.extend({ channel: SuppressibleChannelSchema.optional(), recipient: RecipientQuerySchema.optional() }) },
  responses: {
    200: { description: "A page of suppressions", content: { "application/json": { schema: pageListSchema(SuppressionSchema, "SuppressionList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListSuppressions(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listSuppressions(await serviceContext(c), toPageRequest(query), { channel: query.channel, recipient: query.recipient }), 200);
  });
}
