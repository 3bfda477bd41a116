import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../lib/app-env";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import type { App } from "../../lib/router";
import { twilioSignature } from "../../services/receipts/twilio";
import { MAX_RECEIVED_TEXT_CHARS } from "../../services/received-texts/inbound";
import { twilioInboundUrl } from "../../services/received-texts/providers";
import { randomHex } from "../random";

export const TWILIO_INBOUND_SINK_PATH = "/dev/sink/twilio/inbound";

const InboundSchema = z
  .object({
    from: z.string().min(1).max(64),
    to: z.string().min(1).max(64),
    body: z.string().max(MAX_RECEIVED_TEXT_CHARS),
  })
  .strict();

/**
 * Simulates a text arriving on a Twilio number: the form Twilio would post (its fields, a new
 * MessageSid), signed with TWILIO_AUTH_TOKEN over the inbound webhook's URL, handed to the real
 * `/hooks/twilio/inbound` inside this Worker (no network), so the signature check, the storing
 * and the opt-out words all run as for Twilio. The hook answers Twilio the same whatever
 * happened; the sink then tells the developer whether a tenant got the text.
 */
function simulate(app: App) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    let input: z.infer<typeof InboundSchema>;
    try {
      input = InboundSchema.parse(await c.req.json());
    } catch (err) {
      if (err instanceof z.ZodError) throw fieldError("invalid_request", err.issues[0]?.path.join(".") || "(body)", err.issues[0]?.message ?? "invalid");
      throw new ApiError("invalid_json", { detail: "Post {from, to, body} as JSON" });
    }
    const url = twilioInboundUrl(c.env);
    if (!url || !c.env.TWILIO_AUTH_TOKEN) throw new ApiError("misconfigured", { detail: "The Twilio inbound hook needs TWILIO_AUTH_TOKEN and PUBLIC_ORIGIN (or the Twilio sink as TWILIO_API_URL)" });
    const sid = `SM${randomHex(16)}`;
    const params = new URLSearchParams({
      ToCountry: "",
      SmsMessageSid: sid,
      NumMedia: "0",
      SmsSid: sid,
      SmsStatus: "received",
      Body: input.body,
      To: input.to,
      NumSegments: "1",
      MessageSid: sid,
      AccountSid: c.env.TWILIO_ACCOUNT_SID ?? `AC${"0".repeat(32)}`,
      From: input.from,
      ApiVersion: "2010-04-01",
    });
    const hook = await app.fetch(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": await twilioSignature(c.env.TWILIO_AUTH_TOKEN, url, params), "i-twilio-idempotency-token": crypto.randomUUID() },
        body: params.toString(),
      }),
      c.env,
      c.executionCtx,
    );
    if (!hook.ok) return hook;
    const row = await c.env.DB.prepare("SELECT id, tenant_id FROM received_texts WHERE provider = 'twilio' AND provider_message_id = ?").bind(sid).first<{ id: string; tenant_id: string }>();
    if (!row) {
      throw fieldError("unprocessable", "to", `No tenant receives texts on ${input.to}: the operator assigns it with POST /api/v1/tenants/{tenantId}/inbound-numbers {"number": "${input.to}"}`);
    }
    return c.json({ stored: true, id: row.id, tenantId: row.tenant_id, messageSid: sid }, 201);
  };
}

/** Mounts POST /dev/sink/twilio/inbound: before the Twilio sink's catch-all under /dev/sink/twilio. */
export function registerTwilioInboundSink(app: App): void {
  app.post(TWILIO_INBOUND_SINK_PATH, simulate(app));
}
