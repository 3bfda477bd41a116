import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { fromSmsChannel } from "../../services/send/plan";
import { PreviewQuerySchema, SmsChannelSchema } from "../../services/send/request-schema";
import { sendContext } from "./context";
import { previewOrSend } from "./respond";
import { SEND_DESCRIPTION, sendResponses } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notifysimple/sms",
  tags: ["Send"],
  summary: "Send a text message",
  description: SEND_DESCRIPTION,
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: {
    query: PreviewQuerySchema,
    body: { required: true, content: { "application/json": { schema: SmsChannelSchema } } },
  },
  responses: sendResponses,
});

export function registerSendSms(app: App): void {
  app.openapi(route, async (c) => previewOrSend(c, sendContext(c), fromSmsChannel(c.req.valid("json")), c.req.valid("query")));
}
