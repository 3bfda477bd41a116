import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listServices } from "../../services/tenant-services/tenant-services";
import { serviceContext } from "../context";
import { collectionPath, SERVICE_KINDS, type ServiceKind, TAG, ViewSchemas } from "./schemas";

const routeFor = (kind: ServiceKind) =>
  createRoute({
    method: "get",
    path: collectionPath(kind),
    tags: [TAG[kind]],
    summary: `List ${kind} services, newest first`,
    ...tenantAccess("read"),
    request: { query: PageQuerySchema },
    responses: {
      200: {
        description: "A page of services",
        content: { "application/json": { schema: pageListSchema(ViewSchemas[kind], kind === "subscription" ? "SubscriptionServiceList" : "AttachmentServiceList") } },
      },
      ...problemResponses(400, 401, 403),
    },
  });

export function registerListServices(app: App): void {
  for (const kind of SERVICE_KINDS) {
    app.openapi(routeFor(kind), async (c) => c.json(await listServices(await serviceContext(c), kind, toPageRequest(c.req.valid("query"))), 200));
  }
}
