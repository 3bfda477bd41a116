import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../lib/router";
import { tenantAccess } from "../../../middleware/auth";
import { ParamsSchema } from "../../../services/content/json-schemas";
import { previewV2Template } from "../../../services/notify-v2/templates";
import { serviceContext } from "../../context";
import { notifyErrorResponses, registerV2 } from "../framework";
import { NotifyTemplatePreviewSchema, TemplateIdParam } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/v2/template/{id}/preview",
  summary: "Preview a template with personalisation (Notify v2)",
  description:
    "Renders the current version as a send would. The body may be empty when the template has no placeholders; other keys are ignored, as Notify ignores them. A placeholder without a value is 400 BadRequestError `Missing personalisation: a, b`.",
  ...tenantAccess("read"),
  request: {
    params: z.object({ id: TemplateIdParam }),
    body: {
      required: false,
      content: {
        "application/json": {
          // Notify's request schema has no additionalProperties: false.
          schema: z.looseObject({ personalisation: ParamsSchema.optional().openapi({ example: { first_name: "Amala" } }) }),
        },
      },
    },
  },
  responses: {
    200: { description: "The rendered template", content: { "application/json": { schema: NotifyTemplatePreviewSchema } } },
    ...notifyErrorResponses(400, 401, 403, 404, 413),
  },
});

export function registerV2PreviewTemplate(app: App): void {
  registerV2(app, route, async (c) => c.json(await previewV2Template(serviceContext(c), c.req.valid("param").id, c.req.valid("json").personalisation), 200));
}
