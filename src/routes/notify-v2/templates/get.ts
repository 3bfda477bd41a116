import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../lib/router";
import { tenantAccess } from "../../../middleware/auth";
import { getV2Template } from "../../../services/notify-v2/templates";
import { serviceContext } from "../../context";
import { notifyErrorResponses, registerV2 } from "../framework";
import { NotifyTemplateSchema, TemplateIdParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v2/template/{id}",
  summary: "Get a template (Notify v2)",
  description: "The current version of an email or SMS template of the caller's tenant. A msgApp template is not a Notify type and answers 404, as an unknown, deleted or another tenant's template does.",
  ...tenantAccess("read"),
  request: { params: z.object({ id: TemplateIdParam }) },
  responses: {
    200: { description: "The template", content: { "application/json": { schema: NotifyTemplateSchema } } },
    ...notifyErrorResponses(400, 401, 403, 404),
  },
});

export function registerV2GetTemplate(app: App): void {
  registerV2(app, route, async (c) => c.json(await getV2Template(serviceContext(c), c.req.valid("param").id), 200));
}
