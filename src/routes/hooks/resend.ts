import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { resendReceipts, verifyResend } from "../../services/receipts/resend";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../services/receipts/verification";
import { type HookDefinition, hookResponses, receiveHook } from "./receive";

const route = createRoute({
  method: "post",
  path: "/hooks/resend",
  tags: ["Delivery receipts"],
  summary: "Resend webhooks (delivery receipts)",
  description:
    "For Resend's webhooks, not for tenants: no API key, but every post must be signed by Svix (`svix-id`, `svix-timestamp`, " +
    `\`svix-signature\` with the endpoint's signing secret in \`RESEND_WEBHOOK_SECRET\`), with a timestamp within ${TIMESTAMP_TOLERANCE_SECONDS} s. ` +
    "Events: email.sent and email.delivery_delayed keep a message `sending`, email.delivered makes it `delivered`, email.bounced " +
    "`permanent-failure` (a `Transient` bounce `temporary-failure`), email.failed `permanent-failure`, email.complained a complaint; opens and " +
    "clicks are ignored. Matched by `data.email_id` and each address of `data.to`. 401 without a signature, 403 with a wrong or stale one (nothing changes).",
  responses: hookResponses,
});

export const resendHook: HookDefinition = {
  provider: "resend",
  requires: ["RESEND_WEBHOOK_SECRET"],
  verify: async (request, _payload, env, now) => verifyResend(request, env.RESEND_WEBHOOK_SECRET!, now),
  receipts: (payload, now, request) => resendReceipts(payload, now, request.headers.get("svix-id")?.slice(0, 128)),
};

export function registerResendHook(app: App): void {
  app.openapi(route, (c) => receiveHook(c, resendHook) as never);
}
