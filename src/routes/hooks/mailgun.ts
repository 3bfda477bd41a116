import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { claimMailgunToken, mailgunReceipts, verifyMailgun } from "../../services/receipts/mailgun";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../services/receipts/verification";
import { type HookDefinition, hookResponses, receiveHook } from "./receive";

const route = createRoute({
  method: "post",
  path: "/hooks/mailgun",
  tags: ["Delivery receipts"],
  summary: "Mailgun webhooks (delivery receipts)",
  description:
    "For Mailgun's webhooks (JSON), not for tenants: no API key, but every post must carry Mailgun's `signature` object, whose " +
    "`signature` (or, for a subaccount, `parent-signature`) is the HMAC-SHA256 of `timestamp` + `token` under `MAILGUN_WEBHOOK_SIGNING_KEY`, " +
    `with a timestamp within ${TIMESTAMP_TOLERANCE_SECONDS} s; a token already taken is refused. Events: accepted keeps a message \`sending\`, ` +
    "delivered makes it `delivered`, failed with severity `permanent` `permanent-failure` (severity `temporary` keeps it `sending` while Mailgun " +
    "retries; reason `old`, when Mailgun stopped retrying, is `temporary-failure`), complained a complaint; opens, clicks and unsubscribes are ignored. " +
    "Matched by `message.headers.message-id` and `recipient`. 401 without a signature, 403 with a wrong, stale or replayed one (nothing changes).",
  responses: hookResponses,
});

export const mailgunHook: HookDefinition = {
  provider: "mailgun",
  requires: ["MAILGUN_WEBHOOK_SIGNING_KEY"],
  verify: (_request, payload, env, now) => verifyMailgun(payload, env.MAILGUN_WEBHOOK_SIGNING_KEY!, now),
  receipts: mailgunReceipts,
  claim: claimMailgunToken,
};

export function registerMailgunHook(app: App): void {
  app.openapi(route, (c) => receiveHook(c, mailgunHook) as never);
}
