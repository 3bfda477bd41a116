import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { createCallback } from "../../services/callbacks/registrations";
import { serviceContext } from "../context";
import { COLLECTION, CreateCallbackSchema, CreatedCallbackSchema, TAG } from "./schemas";

const route = createRoute({
  method: "post",
  path: COLLECTION,
  tags: [TAG],
  summary: "Register a status callback",
  description:
    "Your URL is POSTed a signed JSON event (Standard Webhooks) whenever a message of a matching channel reaches a matching status: `trigger` success (delivered), failure (permanent, temporary or technical failure), and any `statuses` named (e.g. sending). The answer carries the signing secret (`whsec_…`) this once. The URL must pass the outbound-URL policy (422 naming `url`). Sends use every active registration for their channel unless a `callbacks` setting (tenant defaults, event type, request) names which. `channelType` `received-text` also POSTs each text received on your inbound numbers, as GOV.UK Notify's received text messages callback (`{id, source_number, destination_number, message, date_received}`, signed the same way; give `headers: {\"Authorization\": \"Bearer <token>\"}` for Notify's bearer token).",
  ...tenantAccess("manage"),
  request: { body: { required: true, content: { "application/json": { schema: CreateCallbackSchema } } } },
  responses: {
    201: { description: "Registered; the secret is answered only now", content: { "application/json": { schema: CreatedCallbackSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function registerCreateCallback(app: App): void {
  app.openapi(route, async (c) => {
    const created = await createCallback(serviceContext(c), c.req.valid("json"));
    c.header("Location", `${COLLECTION}/${created.callbackId}`);
    return c.json(created, 201);
  });
}
