import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../lib/router";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../services/receipts/verification";
import { verifyVonage, vonageReceipts } from "../../services/receipts/vonage";
import { type HookDefinition, hookResponses, receiveHook } from "./receive";

const route = createRoute({
  method: "post",
  path: "/hooks/vonage",
  tags: ["Delivery receipts"],
  summary: "Vonage Messages API status webhook (SMS delivery receipts)",
  description:
    "For Vonage's Messages API message status webhook (the API the Vonage adapter sends with), not for tenants: no API key, but every " +
    "post must carry Vonage's signed JWT in `Authorization: Bearer` (HS256 under the account's signature secret in `VONAGE_SIGNATURE_SECRET`, " +
    `\`iat\` within ${TIMESTAMP_TOLERANCE_SECONDS} s, \`payload_hash\` the SHA-256 of the body). Statuses: submitted keeps a message \`sending\`, ` +
    "delivered makes it `delivered`, rejected `permanent-failure`, undeliverable `temporary-failure` (the `error` object's code and detail are kept); " +
    "others are ignored. Matched by `message_uuid` and `to`. 401 without a token, 403 with a wrong or stale one or another body's hash (nothing changes).",
  responses: hookResponses,
});

export const vonageHook: HookDefinition = {
  provider: "vonage",
  requires: ["VONAGE_SIGNATURE_SECRET"],
  verify: (request, _payload, env, now) => verifyVonage(request, env.VONAGE_SIGNATURE_SECRET!, now),
  receipts: vonageReceipts,
};

export function registerVonageHook(app: App): void {
  app.openapi(route, (c) => receiveHook(c, vonageHook) as never);
}
