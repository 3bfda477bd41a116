import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getGroup, toGroupView } from "../../services/groups/groups";
import { serviceContext } from "../context";
import { GroupIdParamSchema, GroupSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/groups/{groupId}",
  tags: ["Groups"],
  summary: "Get a recipient group with its members",
  description: "By id; to find a group by name use `GET /api/v1/groups?name=`.",
  ...tenantAccess("read"),
  request: { params: GroupIdParamSchema },
  responses: {
    200: { description: "The group", content: { "application/json": { schema: GroupSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetGroup(app: App): void {
  app.openapi(route, async (c) => c.json(toGroupView(await getGroup(await serviceContext(c), c.req.valid("param").groupId)), 200));
}
