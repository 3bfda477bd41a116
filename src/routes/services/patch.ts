import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { updateService } from "../../services/tenant-services/tenant-services";
import { serviceContext } from "../context";
import { collectionPath, SERVICE_KINDS, ServiceIdParamSchema, type ServiceKind, TAG, UpdateSchemas, ViewSchemas } from "./schemas";

const routeFor = (kind: ServiceKind) =>
  createRoute({
    method: "patch",
    path: `${collectionPath(kind)}/{serviceId}`,
    tags: [TAG[kind]],
    summary: `Update a ${kind} service`,
    description:
      "Fields given replace the stored ones; `null` clears an optional one (`authHeader`, `timeoutMs` back to the default, `requestMapping`" +
      (kind === "attachment" ? ", `filename`" : "") +
      "). `authHeader` is replaced whole (name and value). A new `url` is checked again. `{}` is a 400.",
    ...tenantAccess("manage"),
    request: { params: ServiceIdParamSchema, body: { required: true, content: { "application/json": { schema: UpdateSchemas[kind] } } } },
    responses: {
      200: { description: "The service", content: { "application/json": { schema: ViewSchemas[kind] } } },
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
    },
  });

export function registerUpdateService(app: App): void {
  for (const kind of SERVICE_KINDS) {
    app.openapi(routeFor(kind), async (c) => c.json(await updateService(await serviceContext(c), kind, c.req.valid("param").serviceId, c.req.valid("json")), 200));
  }
}
