import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../lib/router";
import { tenantAccess } from "../../../middleware/auth";
import { getV2Template } from "../../../services/notify-v2/templates";
import { serviceContext } from "../../context";
import { notifyErrorResponses, registerV2 } from "../framework";
import { NotifyTemplateSchema, TemplateIdParam, TemplateVersionParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v2/template/{id}/version/{version}",
  summary: "Get one version of a template (Notify v2)",
  description: "The version as it was made, with the name it had then. A version not made yet answers 404; a version that is not an integer from 1, 400 ValidationError.",
  ...tenantAccess("read"),
  request: { params: z.object({ id: TemplateIdParam, version: TemplateVersionParam }) },
  responses: {
    200: { description: "The template version", content: { "application/json": { schema: NotifyTemplateSchema } } },
    ...notifyErrorResponses(400, 401, 403, 404),
  },
});

export function registerV2GetTemplateVersion(app: App): void {
  registerV2(app, route, async (c) => {
    const { id, version } = c.req.valid("param");
    return c.json(await getV2Template(serviceContext(c), id, Number(version)), 200);
  });
}
