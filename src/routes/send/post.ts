import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantSecurity } from "../../lib/security";
import { requireTenant } from "../../middleware/auth";
import { fromSimple } from "../../services/send/plan";
import { PreviewQuerySchema, SimpleSendSchema } from "../../services/send/request-schema";
import { sendContext } from "./context";
import { previewOrSend } from "./respond";
import { PreviewSchema, SendReceiptSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notifysimple",
  tags: ["Send"],
  summary: "Send on any of email, SMS and chat in one request",
  description: "Answers 201 once the notification is stored and queued (delivery is asynchronous: follow statusUrl). With `?preview=true` answers 200 with exactly what would be handed to each provider, and stores nothing. A parameter a template needs and the request lacks, a bad recipient, or an unknown template is a 422 naming every field at fault.",
  security: tenantSecurity,
  middleware: [requireTenant] as const,
  request: {
    query: PreviewQuerySchema,
    body: { required: true, content: { "application/json": { schema: SimpleSendSchema } } },
  },
  responses: {
    201: { description: "Accepted for delivery", content: { "application/json": { schema: SendReceiptSchema } } },
    200: { description: "Preview (only with ?preview=true)", content: { "application/json": { schema: PreviewSchema } } },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429, 503),
  },
});

export function registerSendSimple(app: App): void {
  app.openapi(route, async (c) => previewOrSend(c, await sendContext(c), fromSimple(c.req.valid("json")), c.req.valid("query").preview === "true"));
}
