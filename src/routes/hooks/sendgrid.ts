import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { sendGridReceipts, verifySendGrid } from "../../services/receipts/sendgrid";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../services/receipts/verification";
import { type HookDefinition, hookResponses, receiveHook } from "./receive";

const route = createRoute({
  method: "post",
  path: "/hooks/sendgrid",
  tags: ["Delivery receipts"],
  summary: "SendGrid Event Webhook (delivery receipts)",
  description:
    "For SendGrid's Signed Event Webhook, not for tenants: no API key, but every post must carry SendGrid's ECDSA signature " +
    "(`X-Twilio-Email-Event-Webhook-Signature` over `X-Twilio-Email-Event-Webhook-Timestamp` + the raw body), checked with the " +
    `verification key in \`SENDGRID_WEBHOOK_PUBLIC_KEY\`, and a timestamp within ${TIMESTAMP_TOLERANCE_SECONDS} s. The body is SendGrid's JSON array of events: ` +
    "processed and deferred keep a message `sending`, delivered makes it `delivered`, a bounce `permanent-failure` (type `blocked`: `temporary-failure`), " +
    "dropped `permanent-failure`, spamreport a complaint; engagement events are ignored. Events are matched to messages by the " +
    "`X-Message-Id` part of `sg_message_id` and the recipient. 401 without a signature, 403 with a wrong or stale one (nothing changes), " +
    "503 when the key is not configured.",
  responses: hookResponses,
});

export const sendGridHook: HookDefinition = {
  provider: "sendgrid",
  requires: ["SENDGRID_WEBHOOK_PUBLIC_KEY"],
  verify: (request, _payload, env, now) => verifySendGrid(request, env.SENDGRID_WEBHOOK_PUBLIC_KEY!, now),
  receipts: sendGridReceipts,
};

export function registerSendGridHook(app: App): void {
  app.openapi(route, (c) => receiveHook(c, sendGridHook) as never);
}
