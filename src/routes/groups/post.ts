import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { createGroup } from "../../services/groups/groups";
import { serviceContext } from "../context";
import { CreateGroupSchema, GROUP_EXPANSION_NOTE, GroupSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/groups",
  tags: ["Groups"],
  summary: "Create a recipient group",
  description: `${GROUP_EXPANSION_NOTE} Members are normalised as recipients are; an invalid or repeated member is a 422 naming \`members[i].email\` / \`members[i].phone\`. A name already used is a 409.`,
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateGroupSchema } } } },
  responses: {
    201: { description: "The group", content: { "application/json": { schema: GroupSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function registerCreateGroup(app: App): void {
  app.openapi(route, async (c) => {
    const view = await createGroup(await serviceContext(c), c.req.valid("json"));
    c.header("Location", `/api/v1/groups/${view.id}`);
    return c.json(view, 201);
  });
}
