import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { deleteGroup } from "../../services/groups/groups";
import { serviceContext } from "../context";
import { GroupIdParamSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/groups/{groupId}",
  tags: ["Groups"],
  summary: "Delete a recipient group",
  description: "Later sends naming it are refused (422 `No group named …`); notifications already stored keep their recipients.",
  ...tenantAccess("manage"),
  request: { params: GroupIdParamSchema },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteGroup(app: App): void {
  app.openapi(route, async (c) => {
    await deleteGroup(await serviceContext(c), c.req.valid("param").groupId);
    return c.body(null, 204);
  });
}
