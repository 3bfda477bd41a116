import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { tenantAccess } from "../../middleware/auth";
import { legacySend } from "./respond";
import { LEGACY_TAG, LegacySendReceiptSchema, LegacySendSchema } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/notifications/sms",
  tags: [LEGACY_TAG],
  summary: "Send a text message (the seed's early API)",
  description:
    "The early GOV.UK Notify guide's send: `{to, template, personalisation}` with one of your template ids. It goes through the same checks, limits, duplicate window and Idempotency-Key as `POST /api/v1/notifysimple/sms`. Errors are RFC 9457 problems naming `to`, `template` or `personalisation`.",
  ...tenantAccess("send", { keyAtAdmission: true }),
  request: { body: { required: true, content: { "application/json": { schema: LegacySendSchema } } } },
  responses: {
    201: { description: "Accepted", content: { "application/json": { schema: LegacySendReceiptSchema } } },
    200: { description: "A duplicate within the window: the first notification (`Idempotent-Replayed: true`)", content: { "application/json": { schema: LegacySendReceiptSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429),
  },
});

export function registerLegacySendSms(app: App): void {
  app.openapi(route, async (c) => legacySend(c, "sms", c.req.valid("json")));
}
