import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { updateTemplate } from "../../services/templates/templates";
import { normaliseTemplateContent, TemplateIdParamSchema, TemplateSchema, UpdateTemplateSchema } from "./schemas";

const route = createRoute({
  method: "patch",
  path: "/api/v1/templates/{templateId}",
  tags: ["Templates"],
  summary: "Update a template: every change is a new version",
  description: "Fields not given are carried over from the current version; `null` clears one. Earlier versions stay readable with `?version=n`, and each send records the version it used. `{}` is a 400 (nothing to change); a patch whose values equal the current ones writes no version and answers the current one.",
  ...tenantAccess("manage"),
  request: {
    params: TemplateIdParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateTemplateSchema } } },
  },
  responses: {
    200: { description: "The new version, or the current one when nothing changed", content: { "application/json": { schema: TemplateSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export function registerUpdateTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const view = await updateTemplate(
      serviceContext(c),
      c.req.valid("param").templateId,
      normaliseTemplateContent(c.req.valid("json")),
    );
    return c.json(view, 200);
  });
}
