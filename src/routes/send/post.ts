import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { fromSimple } from "../../services/send/plan";
import { PreviewQuerySchema, SimpleSendSchema } from "../../services/send/request-schema";
import { sendContext } from "./context";
import { previewOrSend } from "./respond";
import { SEND_DESCRIPTION, sendResponses } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notifysimple",
  tags: ["Send"],
  summary: "Send on any of email, SMS and chat in one request",
  description: SEND_DESCRIPTION,
  ...tenantAccess("send"),
  request: {
    query: PreviewQuerySchema,
    body: { required: true, content: { "application/json": { schema: SimpleSendSchema } } },
  },
  responses: sendResponses,
});

export function registerSendSimple(app: App): void {
  app.openapi(route, async (c) => previewOrSend(c, sendContext(c), fromSimple(c.req.valid("json")), c.req.valid("query")));
}
