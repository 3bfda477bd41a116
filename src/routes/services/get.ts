import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { getService, toServiceView } from "../../services/tenant-services/tenant-services";
import { serviceContext } from "../context";
import { collectionPath, SERVICE_KINDS, ServiceIdParamSchema, type ServiceKind, TAG, ViewSchemas } from "./schemas";

const routeFor = (kind: ServiceKind) =>
  createRoute({
    method: "get",
    path: `${collectionPath(kind)}/{serviceId}`,
    tags: [TAG[kind]],
    summary: `Get a ${kind} service`,
    description: "The auth header's value is never answered: `authHeader` is `{name, set: true}`.",
    ...tenantAccess("read"),
    request: { params: ServiceIdParamSchema },
    responses: {
      200: { description: "The service", content: { "application/json": { schema: ViewSchemas[kind] } } },
      ...problemResponses(400, 401, 403, 404),
    },
  });

export function registerGetService(app: App): void {
  for (const kind of SERVICE_KINDS) {
    app.openapi(routeFor(kind), async (c) => c.json(toServiceView(await getService(await serviceContext(c), kind, c.req.valid("param").serviceId)), 200));
  }
}
