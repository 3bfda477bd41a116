import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { postmarkReceipts, verifyPostmark } from "../../services/receipts/postmark";
import { type HookDefinition, hookResponses, receiveHook } from "./receive";

const route = createRoute({
  method: "post",
  path: "/hooks/postmark",
  tags: ["Delivery receipts"],
  summary: "Postmark webhooks (delivery receipts)",
  description:
    "For Postmark's webhooks, not for tenants. Postmark does not sign webhooks: configure the URL with HTTP Basic credentials " +
    "(`https://<POSTMARK_WEBHOOK_USER>:<POSTMARK_WEBHOOK_PASSWORD>@<host>/hooks/postmark`), which Postmark sends with every post and which are " +
    "compared in constant time. Records: Delivery makes a message `delivered`; Bounce by its `Type` (HardBounce, BadEmailAddress, " +
    "ManuallyDeactivated, DMARCPolicy … `permanent-failure`; SoftBounce, DnsError, Blocked, Unknown `temporary-failure`; Transient keeps it " +
    "`sending`; auto-replies and other notices are ignored); SpamComplaint is a complaint; opens and clicks are ignored. Matched by `MessageID` " +
    "and the recipient. 401 without credentials, 403 with wrong ones (nothing changes).",
  responses: hookResponses,
});

export const postmarkHook: HookDefinition = {
  provider: "postmark",
  requires: ["POSTMARK_WEBHOOK_USER", "POSTMARK_WEBHOOK_PASSWORD"],
  verify: async (request, _payload, env) => verifyPostmark(request.headers, env.POSTMARK_WEBHOOK_USER!, env.POSTMARK_WEBHOOK_PASSWORD!),
  receipts: postmarkReceipts,
  challenge: 'Basic realm="postmark-webhooks"',
};

export function registerPostmarkHook(app: App): void {
  app.openapi(route, (c) => receiveHook(c, postmarkHook) as never);
}
