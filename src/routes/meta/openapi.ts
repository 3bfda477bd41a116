import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { publicOrigin } from "../../lib/public-origin";

export const API_TITLE = "Edge Notify API";
export const API_VERSION = "1.0.0";

const route = createRoute({
  method: "get",
  path: "/openapi.json",
  tags: ["Meta"],
  summary: "This OpenAPI 3.1 document",
  responses: {
    200: { description: "The OpenAPI document", content: { "application/json": { schema: z.object({}).passthrough() } } },
  },
});

/** Serves the OpenAPI 3.1 document generated from every route's createRoute definition. */
export function registerOpenApiDocument(app: App): void {
  let document: ReturnType<App["getOpenAPI31Document"]> | undefined;
  app.openapi(route, (c) => {
    // Built on first use, once every route is registered; servers depends on the host asked.
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: API_TITLE,
        version: API_VERSION,
        description:
          "Multi-tenant, multi-channel notification service. Tenant routes accept a GOV.UK Notify style JWT " +
          "(`Authorization: Bearer`) or `X-API-Key`; operator routes take `Authorization: Bearer <ADMIN_TOKEN>`. " +
          "Errors are RFC 9457 `application/problem+json`.",
      },
      tags: [
        { name: "Send", description: "Send email, SMS and chat messages (or preview them)" },
        { name: "Status", description: "Delivery status, history search and cancellation" },
        { name: "Templates", description: "Stored, versioned templates" },
        { name: "Event types", description: "Notification event types: the event layer of the System → Tenant → Event → Request cascade" },
        { name: "Groups", description: "Recipient groups, addressed as `group:<name>` in recipient lists" },
        { name: "Suppressions", description: "Recipients a tenant no longer sends to, per channel; one-click unsubscribe adds to it" },
        { name: "Tenant", description: "The calling tenant: identity and defaults" },
        { name: "Operator", description: "Platform administration (ADMIN_TOKEN)" },
        { name: "Meta", description: "Health, this document and the docs page" },
      ],
    });
    return c.json({ ...document, servers: [{ url: publicOrigin(c) }] }, 200);
  });
}
