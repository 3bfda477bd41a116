import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { updateGroup } from "../../services/groups/groups";
import { serviceContext } from "../context";
import { GroupIdParamSchema, GroupSchema, UpdateGroupSchema } from "./schemas";

const route = createRoute({
  method: "patch",
  path: "/api/v1/groups/{groupId}",
  tags: ["Groups"],
  summary: "Update a recipient group",
  description: "Fields not given are kept; `members` replaces every member; `description: null` clears it. `{}` is a 400. Sends already stored keep the addresses they expanded to.",
  ...tenantAccess("manage"),
  request: {
    params: GroupIdParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateGroupSchema } } },
  },
  responses: {
    200: { description: "The group as updated", content: { "application/json": { schema: GroupSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export function registerUpdateGroup(app: App): void {
  app.openapi(route, async (c) => c.json(await updateGroup(await serviceContext(c), c.req.valid("param").groupId, c.req.valid("json")), 200));
}
