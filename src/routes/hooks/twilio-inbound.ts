import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { verifyTwilioSignature } from "../../services/receipts/twilio";
import { receiveInboundText } from "../../services/received-texts/inbound";
import { MalformedInbound, twilioInboundText, twilioInboundUrl } from "../../services/received-texts/providers";

/**
 * A received text's form: 1,600 characters of Body, percent-encoded UTF-8 (up to 12 bytes a
 * character), and Twilio's few dozen other fields (geography, media URLs).
 */
export const MAX_TWILIO_INBOUND_BYTES = 64 * 1024;

/** What Twilio expects back: TwiML that does nothing (no automatic reply). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const route = createRoute({
  method: "post",
  path: "/hooks/twilio/inbound",
  tags: ["Received text messages"],
  summary: "Twilio inbound SMS webhook",
  description:
    "Twilio's incoming message webhook (form-encoded `MessageSid`, `From`, `To`, `Body`, …): set it as the phone number's (or Messaging Service's) \"A message comes in\" URL. " +
    "Verified by `X-Twilio-Signature` exactly like the status callback (HMAC-SHA1 of this URL on `PUBLIC_ORIGIN` and the sorted parameters with `TWILIO_AUTH_TOKEN`): missing is a 401, wrong a 403, and nothing is stored. " +
    "The text is stored for the tenant whose inbound SMS sender is `To`; a whole-body opt-out word (STOP, …) suppresses `From` for that tenant's SMS. " +
    "Answered with empty TwiML (no reply), also for a number no tenant receives on and for a repeated `MessageSid` (stored once), so Twilio does not retry.",
  responses: {
    200: { description: "Taken (stored, a repeat, or for nobody)", content: { "text/xml": { schema: z.string().openapi({ example: EMPTY_TWIML }) } } },
    ...problemResponses(400, 401, 403, 413, 415, 503),
  },
});

async function receive(c: Context<AppEnv>) {
  const env = c.env;
  const url = twilioInboundUrl(env);
  if (!env.TWILIO_AUTH_TOKEN || !url) throw new ApiError("misconfigured", { detail: "Received texts from Twilio need TWILIO_AUTH_TOKEN and PUBLIC_ORIGIN to verify the webhook" });
  if ((c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase() !== "application/x-www-form-urlencoded") {
    throw new ApiError("unsupported_media_type", { detail: "Twilio's inbound message webhook is application/x-www-form-urlencoded" });
  }
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_TWILIO_INBOUND_BYTES) throw new ApiError("payload_too_large", { detail: `A Twilio inbound message is at most ${MAX_TWILIO_INBOUND_BYTES} bytes here` });
  const params = new URLSearchParams(new TextDecoder().decode(bytes));
  const signature = c.req.header("x-twilio-signature");
  if (!signature) throw new ApiError("unauthorized", { detail: "X-Twilio-Signature is missing" });
  // Twilio signs the URL it called, query string included.
  if (!(await verifyTwilioSignature(env.TWILIO_AUTH_TOKEN, url + new URL(c.req.url).search, params, signature))) {
    throw new ApiError("forbidden", { detail: "X-Twilio-Signature does not match this request; nothing was stored" });
  }
  let text;
  try {
    text = twilioInboundText(params);
  } catch (err) {
    if (err instanceof MalformedInbound) throw new ApiError("invalid_request", { detail: `Not a Twilio inbound message: ${err.message}` });
    throw err;
  }
  await receiveInboundText(env, text, new Date(), c.get("requestId"));
  return c.body(EMPTY_TWIML, 200, { "content-type": "text/xml; charset=utf-8" });
}

/** POST /hooks/twilio/inbound: texts received on the tenants' inbound Twilio numbers. */
export function registerTwilioInboundHook(app: App): void {
  app.openapi(route, receive);
}
