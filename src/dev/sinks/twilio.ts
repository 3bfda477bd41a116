import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import type { App } from "../../lib/router";
import { smsStats } from "../../services/render/sms";
import { randomHex } from "../random";
import { saveMessage } from "../store";
import { capturedHeaders, hasMediaType } from "./http";
import { twilioStatusCallbacks } from "./receipts";

// A local stand-in for Twilio Programmable Messaging's Create a Message, so the real Twilio
// adapter runs end to end with TWILIO_API_URL pointing here.

const API_VERSION = "2010-04-01";
const MESSAGES_PATH = `/dev/sink/twilio/${API_VERSION}/Accounts/:accountSid/Messages.json`;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
/** E.164, optionally behind a channel prefix such as `whatsapp:`. */
const PHONE_NUMBER = /^(?:[a-z]+:)?\+[1-9]\d{1,14}$/;
/** Twilio refuses longer bodies outright (21617). */
const MAX_BODY = 1600;

/** A Twilio REST error document: `{code, message, more_info, status}`. */
function twilioError(status: number, code: number, message: string): Response {
  return Response.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, { status });
}

/** Twilio writes dates as RFC 2822 in GMT with a numeric zone. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

/** Basic credentials with a non-empty user and password (Twilio accepts an account SID or API key as the user), or null. */
function basicCredentials(authorization: string | undefined): { user: string; password: string } | null {
  const [scheme, encoded] = (authorization ?? "").split(" ");
  if (scheme?.toLowerCase() !== "basic" || !encoded) return null;
  try {
    const [user, ...rest] = atob(encoded).split(":");
    const password = rest.join(":");
    return user && password.length > 0 ? { user, password } : null;
  } catch {
    return null;
  }
}

/** The first thing Twilio would refuse about this form, as its error answer. */
function refusal(form: URLSearchParams): Response | undefined {
  const to = form.get("To");
  const body = form.get("Body");
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!PHONE_NUMBER.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!form.get("From") && !form.get("MessagingServiceSid")) return twilioError(400, 21603, "A 'From' phone number is required.");
  if (!body) return twilioError(400, 21602, "Message body is required.");
  if (body.length > MAX_BODY) return twilioError(400, 21617, `The concatenated message body exceeds the ${MAX_BODY} character limit.`);
  return undefined;
}

async function createMessage(c: Context<AppEnv>): Promise<Response> {
  if (c.req.method !== "POST") return twilioError(405, 20004, "Method not allowed");
  const credentials = basicCredentials(c.req.header("authorization"));
  if (!credentials) return twilioError(401, 20003, "Authentication Error - No credentials provided");
  const accountSid = c.req.param("accountSid") ?? "";
  if (!ACCOUNT_SID.test(accountSid)) return twilioError(404, 20404, `The requested resource ${c.req.path} was not found`);
  if (!hasMediaType(c.req.raw, "application/x-www-form-urlencoded")) {
    return twilioError(400, 400, `Expected an application/x-www-form-urlencoded body (got ${c.req.header("content-type") ?? "no Content-Type"})`);
  }
  // Decoded by hand: workerd warns when .text() is called on a form body.
  const form = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
  const refused = refusal(form);
  if (refused) return refused;

  const to = form.get("To")!;
  const body = form.get("Body")!;
  const from = form.get("From");
  const messagingServiceSid = form.get("MessagingServiceSid");
  const sid = `SM${randomHex(16)}`;
  const now = rfc2822(new Date());
  const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;

  await saveMessage(c.env.BUCKET, {
    channel: "sms",
    provider: "twilio",
    providerMessageId: sid,
    from: from ?? messagingServiceSid ?? undefined,
    to: [to],
    text: body,
    headers: capturedHeaders(c.req.raw.headers),
    raw: Object.fromEntries(form),
  });

  // Twilio signs its callbacks with the account's auth token: the password the adapter sent.
  const statusCallback = form.get("StatusCallback");
  if (statusCallback) {
    c.executionCtx.waitUntil(
      twilioStatusCallbacks(new URL(c.req.url).origin, { url: statusCallback, authToken: credentials.password, accountSid, sid, from, to, messagingServiceSid }),
    );
  }

  // Without From, the Messaging Service picks a sender later: Twilio says "accepted" and has no
  // segment count yet.
  return Response.json(
    {
      account_sid: accountSid,
      api_version: API_VERSION,
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: messagingServiceSid,
      num_media: "0",
      num_segments: from ? String(smsStats(body).fragments) : "0",
      price: null,
      price_unit: "USD",
      sid,
      status: from ? "queued" : "accepted",
      subresource_uris: { media: uri.replace(/\.json$/, "/Media.json") },
      to,
      uri,
    },
    { status: 201 },
  );
}

function notFound(c: Context<AppEnv>): Response {
  return twilioError(404, 20404, `The requested resource ${c.req.path} was not found`);
}

/** Mounts the Twilio Messages sink under /dev/sink/twilio (TWILIO_API_URL=…/dev/sink/twilio). */
export function registerTwilioSink(app: App): void {
  app.all(MESSAGES_PATH, createMessage);
  app.all("/dev/sink/twilio/*", notFound);
}
