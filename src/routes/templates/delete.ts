import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { deleteTemplate } from "../../services/templates/templates";
import { TemplateIdParamSchema } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/api/v1/templates/{templateId}",
  tags: ["Templates"],
  summary: "Delete a template",
  description: "Later sends naming it are refused (422); notifications already sent keep the version they used.",
  ...tenantAccess("manage"),
  request: { params: TemplateIdParamSchema },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
});

export function registerDeleteTemplate(app: App): void {
  app.openapi(route, async (c) => {
    await deleteTemplate(serviceContext(c), c.req.valid("param").templateId);
    return c.body(null, 204);
  });
}
