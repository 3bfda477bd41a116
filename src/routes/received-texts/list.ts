import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import { PageQuerySchema, pageListSchema, toPageRequest } from "../../lib/pagination";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { listReceivedTexts } from "../../services/received-texts/list";
import { serviceContext } from "../context";
import { RECEIVED_TEXTS_TAG, ReceivedTextSchema } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/api/v1/tenant/received-texts",
  tags: [RECEIVED_TEXTS_TAG],
  summary: "List received text messages, newest first",
  description:
    "Texts received on the tenant's inbound SMS senders (`inbound: true` in /api/v1/tenant/sms-senders, assigned by the operator), stored by the providers' inbound webhooks (`/hooks/twilio/inbound`, `/hooks/vonage/inbound`). Any key type with `read` sees them all, test keys included.",
  ...tenantAccess("read"),
  request: { query: PageQuerySchema },
  responses: {
    200: { description: "A page of received texts", content: { "application/json": { schema: pageListSchema(ReceivedTextSchema, "ReceivedTextList") } } },
    ...problemResponses(400, 401, 403),
  },
});

export function registerListReceivedTexts(app: App): void {
  app.openapi(route, async (c) => c.json(await listReceivedTexts(serviceContext(c), toPageRequest(c.req.valid("query"))), 200));
}
