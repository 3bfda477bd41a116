import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { createTemplate } from "../../services/templates/templates";
import { CreateTemplateSchema, normaliseTemplateContent, TemplateSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/templates",
  tags: ["Templates"],
  summary: "Create a template",
  description: "Email templates need `subject` and `body` (`bodyType` text, html or markdown); SMS templates a `body`; msgApp templates a `body` or a `card`.",
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateTemplateSchema } } } },
  responses: {
    201: { description: "The template, version 1", content: { "application/json": { schema: TemplateSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function registerCreateTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const input = normaliseTemplateContent(c.req.valid("json"));
    const view = await createTemplate(
      serviceContext(c),
      { ...input, renderer: input.renderer ?? "mustache" },
    );
    c.header("Location", `/api/v1/templates/${view.id}`);
    return c.json(view, 201);
  });
}
