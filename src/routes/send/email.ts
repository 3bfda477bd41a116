import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { fromEmailChannel } from "../../services/send/plan";
import { PreviewQuerySchema, EmailChannelSchema } from "../../services/send/request-schema";
import { sendContext } from "./context";
import { previewOrSend } from "./respond";
import { SEND_DESCRIPTION, sendResponses } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/api/v1/notifysimple/email",
  tags: ["Send"],
  summary: "Send an email",
  description: SEND_DESCRIPTION,
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: {
    query: PreviewQuerySchema,
    body: { required: true, content: { "application/json": { schema: EmailChannelSchema } } },
  },
  responses: sendResponses,
});

export function registerSendEmail(app: App): void {
  app.openapi(route, async (c) => previewOrSend(c, sendContext(c), fromEmailChannel(c.req.valid("json")), c.req.valid("query")));
}
