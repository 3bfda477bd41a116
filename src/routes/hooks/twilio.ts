import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { applyReceipts } from "../../services/receipts/apply";
import { TWILIO_HOOK_PATH, twilioReceipts, twilioStatusCallbackUrl, verifyTwilioSignature } from "../../services/receipts/twilio";
import { receiptsWired } from "../../services/receipts/wired";
import { ReceiptsAnswerSchema } from "./schemas";

/** A status callback is a few hundred bytes of form fields; anything near this is not one. */
const MAX_BODY_BYTES = 16_384;

const route = createRoute({
  method: "post",
  path: TWILIO_HOOK_PATH,
  tags: ["Delivery receipts"],
  summary: "Twilio status callback",
  description:
    "Twilio's Messaging status callback (form-encoded `MessageSid`, `MessageStatus`, `ErrorCode`, …), the URL the Twilio adapter passes as `StatusCallback` when `RECEIPT_PROVIDERS` names `twilio`. Verified by `X-Twilio-Signature` (HMAC-SHA1 of the URL on `PUBLIC_ORIGIN` and the sorted parameters with `TWILIO_AUTH_TOKEN`): missing is a 401, wrong a 403, and neither changes anything. A callback for a message this deployment does not know is answered 200 and ignored, so Twilio does not retry it (README \"Delivery receipts\").",
  responses: {
    200: { description: "Read and applied (or ignored)", content: { "application/json": { schema: ReceiptsAnswerSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

async function receive(c: Context<AppEnv>) {
  const env = c.env;
  if (!receiptsWired(env, "twilio")) throw new ApiError("not_found", { detail: "Twilio delivery receipts are not wired on this deployment (RECEIPT_PROVIDERS)" });
  const url = twilioStatusCallbackUrl(env);
  if (!env.TWILIO_AUTH_TOKEN || !url) throw new ApiError("misconfigured", { detail: "Twilio receipts need TWILIO_AUTH_TOKEN and PUBLIC_ORIGIN to verify callbacks" });
  if ((c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase() !== "application/x-www-form-urlencoded") {
    throw new ApiError("unsupported_media_type", { detail: "Twilio status callbacks are application/x-www-form-urlencoded" });
  }
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw new ApiError("payload_too_large", { detail: `A Twilio status callback is at most ${MAX_BODY_BYTES} bytes here` });
  const params = new URLSearchParams(new TextDecoder().decode(bytes));
  const signature = c.req.header("x-twilio-signature");
  if (!signature) throw new ApiError("unauthorized", { detail: "X-Twilio-Signature is missing" });
  // Twilio signs the URL it called, query string included.
  const signedUrl = url + new URL(c.req.url).search;
  if (!(await verifyTwilioSignature(env.TWILIO_AUTH_TOKEN, signedUrl, params, signature))) {
    throw new ApiError("forbidden", { detail: "X-Twilio-Signature does not match this request" });
  }
  const eventId = c.req.header("i-twilio-idempotency-token")?.slice(0, 128);
  return c.json(await applyReceipts(env, twilioReceipts(params, new Date(), eventId)), 200);
}

/** POST /hooks/twilio: Twilio's status callbacks. */
export function registerTwilioHook(app: App): void {
  app.openapi(route, receive);
}
