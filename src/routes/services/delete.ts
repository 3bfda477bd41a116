import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { deleteService } from "../../services/tenant-services/tenant-services";
import { serviceContext } from "../context";
import { collectionPath, SERVICE_KINDS, ServiceIdParamSchema, type ServiceKind, TAG } from "./schemas";

const routeFor = (kind: ServiceKind) =>
  createRoute({
    method: "delete",
    path: `${collectionPath(kind)}/{serviceId}`,
    tags: [TAG[kind]],
    summary: `Delete a ${kind} service`,
    description:
      kind === "subscription"
        ? "Later sends naming it are refused (422)."
        : "Later sends naming it are refused (422); emails already accepted that need it fail at delivery (technical-failure, not retried).",
    ...tenantAccess("manage"),
    request: { params: ServiceIdParamSchema },
    responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404) },
  });

export function registerDeleteService(app: App): void {
  for (const kind of SERVICE_KINDS) {
    app.openapi(routeFor(kind), async (c) => {
      await deleteService(await serviceContext(c), kind, c.req.valid("param").serviceId);
      return c.body(null, 204);
    });
  }
}
