import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { notifyErrorResponses, registerV2 } from "./framework";
import { V2SmsRequestSchema, V2SmsResponseSchema } from "./schemas";
import { respondV2Send } from "./send";

const route = createRoute({
  method: "post",
  path: "/v2/notifications/sms",
  summary: "Send a text message (GOV.UK Notify v2)",
  description:
    "Notify's `POST /v2/notifications/sms` on this service's send path (limits, duplicate window, Idempotency-Key, suppressions; team keys to the guest list, test keys simulated). Answers Notify's 201 shape; errors in Notify's `{status_code, errors}` shape.",
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: { body: { required: true, content: { "application/json": { schema: V2SmsRequestSchema } } } },
  responses: {
    201: { description: "Accepted", content: { "application/json": { schema: V2SmsResponseSchema } } },
    200: { description: "A duplicate within the window: the first notification (`Idempotent-Replayed: true`)", content: { "application/json": { schema: V2SmsResponseSchema } } },
    ...notifyErrorResponses(400, 401, 403, 413, 429),
  },
});

export function registerV2SendSms(app: App): void {
  registerV2(app, route, async (c) => respondV2Send(c, "sms", c.req.valid("json")));
}
