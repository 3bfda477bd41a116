import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { getTemplate, toTemplateView } from "../../services/templates/templates";
import { TemplateIdParamSchema, TemplateSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/templates/{templateId}",
  tags: ["Templates"],
  summary: "Get a template (the current version, or `?version=n`)",
  ...tenantAccess("read"),
  request: {
    params: TemplateIdParamSchema,
    query: z.object({ version: z.coerce.number().int().min(1).optional().openapi({ example: 1 }) }),
  },
  responses: {
    200: { description: "The template", content: { "application/json": { schema: TemplateSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
});

export function registerGetTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const loaded = await getTemplate(
      serviceContext(c),
      c.req.valid("param").templateId,
      c.req.valid("query").version,
    );
    return c.json(toTemplateView(loaded), 200);
  });
}
