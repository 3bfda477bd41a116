import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { listTemplates } from "../../services/templates/templates";
import { ChannelSchema, TemplateSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/templates",
  tags: ["Templates"],
  summary: "List templates, newest first",
  description: 'Filter by exact `name` to find a template\'s id (`?name=Sample template`; surrounding quotes are ignored).',
  ...tenantAccess("read"),
  request: {
    query: PageQuerySchema.extend({
      name: z.string().max(200).optional().openapi({ example: "Sample template" }),
      channel: ChannelSchema.optional(),
    }),
  },
  responses: {
    200: { description: "A page of templates (current versions)", content: { "application/json": { schema: pageListSchema(TemplateSchema, "TemplateList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListTemplates(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    // The seed writes `?name="Sample template"`; quotes around the whole value are not part of the name.
    const name = query.name?.replace(/^"(.*)"$/, "$1");
    const page = await listTemplates(serviceContext(c), toPageRequest(query), {
      name,
      channel: query.channel,
    });
    return c.json(page, 200);
  });
}
