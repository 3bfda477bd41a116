import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { createService } from "../../services/tenant-services/tenant-services";
import { serviceContext } from "../context";
import { collectionPath, CreateSchemas, SERVICE_KINDS, type ServiceKind, TAG, ViewSchemas } from "./schemas";

const DESCRIPTION: Record<ServiceKind, string> = {
  subscription:
    "A service that answers who should receive a notification. Sends name it in `email.recipients.subscription` or `sms.recipients.subscription`; " +
    "it is called when the send is planned. The URL must pass the outbound-URL policy (422 naming `url`); the auth header's value is stored encrypted and never answered.",
  attachment:
    "A service that renders a document (a PDF, …) from params. Sends name it in an attachments entry `{service, params?, filename?}`; " +
    "it is called when the email is delivered. The URL must pass the outbound-URL policy (422 naming `url`); the auth header's value is stored encrypted and never answered.",
};

const routeFor = (kind: ServiceKind) =>
  createRoute({
    method: "post",
    path: collectionPath(kind),
    tags: [TAG[kind]],
    summary: `Create a ${kind} service`,
    description: DESCRIPTION[kind],
    ...tenantAccess("manage"),
    request: { body: { required: true, content: { "application/json": { schema: CreateSchemas[kind] } } } },
    responses: {
      201: { description: "The service", content: { "application/json": { schema: ViewSchemas[kind] } } },
      ...problemResponses(400, 401, 403, 409, 413, 415, 422),
    },
  });

export function registerCreateService(app: App): void {
  for (const kind of SERVICE_KINDS) {
    app.openapi(routeFor(kind), async (c) => {
      const view = await createService(await serviceContext(c), kind, c.req.valid("json"));
      c.header("Location", `${collectionPath(kind)}/${view.id}`);
      return c.json(view, 201);
    });
  }
}
