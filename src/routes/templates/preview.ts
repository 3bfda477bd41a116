import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { serviceContext } from "../context";
import { previewTemplate } from "../../services/templates/preview";
import { TemplateIdParamSchema, TemplatePreviewSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/templates/{templateId}/preview",
  tags: ["Templates"],
  summary: "Render a template with parameters",
  description: "A parameter the template needs and `params` lacks is a 422 naming every missing one.",
  ...tenantAccess("read"),
  request: {
    params: TemplateIdParamSchema,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              params: z.record(z.string(), z.unknown()).default({}).openapi({ example: { subject: "Sample subject", "body-part": "templating" } }),
              version: z.number().int().min(1).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    200: { description: "The rendered content", content: { "application/json": { schema: TemplatePreviewSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

export function registerPreviewTemplate(app: App): void {
  app.openapi(route, async (c) => {
    const { params, version } = c.req.valid("json");
    const preview = await previewTemplate(
      serviceContext(c),
      c.req.valid("param").templateId,
      params,
      version,
    );
    return c.json(preview, 200);
  });
}
