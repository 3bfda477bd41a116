import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listGroups } from "../../services/groups/groups";
import { serviceContext } from "../context";
import { GroupSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/groups",
  tags: ["Groups"],
  summary: "List recipient groups, newest first",
  description: "Filter by exact `name` (case-sensitive) to find a group's id.",
  ...tenantAccess("read"),
  request: { query: PageQuerySchema.extend({ name: z.string().max(64).optional().openapi({ example: "FundingApprovers" }) }) },
  responses: {
    200: { description: "A page of groups", content: { "application/json": { schema: pageListSchema(GroupSchema, "GroupList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListGroups(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listGroups(await serviceContext(c), toPageRequest(query), { name: query.name }), 200);
  });
}
