import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import { log } from "../../lib/log";
import type { App } from "../../lib/router";
import { assertSafeJsonText } from "../../middleware/json-body-guard";
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../services/receipts/verification";
import { verifyVonage } from "../../services/receipts/vonage";
import { receiveInboundText } from "../../services/received-texts/inbound";
import { MalformedInbound, vonageInboundText } from "../../services/received-texts/providers";

/** An inbound message is about a kilobyte of JSON around at most 1,600 characters (6 bytes each when escaped). */
export const MAX_VONAGE_INBOUND_BYTES = 64 * 1024;

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const route = createRoute({
  method: "post",
  path: "/hooks/vonage/inbound",
  tags: ["Received text messages"],
  summary: "Vonage Messages API inbound message webhook",
  description:
    "Vonage's Messages API inbound webhook (JSON `{channel: \"sms\", message_uuid, to, from, text, timestamp, …}`): set it as the Vonage application's Messages \"Inbound URL\". " +
    "Every post must carry Vonage's signed JWT in `Authorization: Bearer` (HS256 under `VONAGE_SIGNATURE_SECRET`, " +
    `\`iat\` within ${TIMESTAMP_TOLERANCE_SECONDS} s, \`payload_hash\` the SHA-256 of the body): 401 without one, 403 with a wrong or stale one, and nothing is stored. ` +
    "The text is stored for the tenant whose inbound SMS sender is `to`; a whole-body opt-out word (STOP, …) suppresses `from` for that tenant's SMS. " +
    "Answered 200 also for a number no tenant receives on, a repeated `message_uuid` (stored once) and other channels' messages (ignored), so Vonage does not retry.",
  responses: {
    200: {
      description: "Taken (stored, a repeat, for nobody, or not an SMS)",
      content: { "application/json": { schema: z.object({ ok: z.literal(true) }).openapi("InboundAnswer") } },
    },
    ...problemResponses(400, 401, 403, 413, 503),
  },
});

async function receive(c: Context<AppEnv>) {
  const secret = c.env.VONAGE_SIGNATURE_SECRET;
  if (!secret) throw new ApiError("misconfigured", { detail: "Received texts from Vonage need VONAGE_SIGNATURE_SECRET to verify the webhook" });
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_VONAGE_INBOUND_BYTES) throw new ApiError("payload_too_large", { detail: `A Vonage inbound message is at most ${MAX_VONAGE_INBOUND_BYTES} bytes here` });
  const now = new Date();
  // Verified before the body is read: the token's payload_hash covers the exact bytes.
  const verdict = await verifyVonage({ headers: c.req.raw.headers, body }, secret, now);
  if (!verdict.ok) {
    log("warn", "inbound text refused", { provider: "vonage", kind: verdict.kind, reason: verdict.reason, requestId: c.get("requestId") });
    const detail = `Not a verified Vonage inbound message: ${verdict.reason}; nothing was stored`;
    throw new ApiError(verdict.kind === "missing" ? "unauthorized" : verdict.kind === "misconfigured" ? "misconfigured" : "forbidden", { detail });
  }
  let payload: unknown;
  try {
    const text = UTF8.decode(body);
    assertSafeJsonText(text);
    payload = JSON.parse(text);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError("invalid_json", { detail: "A Vonage inbound message is UTF-8 JSON" });
  }
  let text;
  try {
    text = vonageInboundText(payload);
  } catch (err) {
    if (err instanceof MalformedInbound) throw new ApiError("invalid_request", { detail: `Not a Vonage inbound message: ${err.message}` });
    throw err;
  }
  if (text) await receiveInboundText(c.env, text, now, c.get("requestId"));
  return c.json({ ok: true as const }, 200);
}

/** POST /hooks/vonage/inbound: texts received on the tenants' inbound Vonage numbers. */
export function registerVonageInboundHook(app: App): void {
  app.openapi(route, receive);
}
