import { log } from "../../lib/log";
import { twilioSignature } from "../../services/receipts/twilio";
import { devSnsNotification } from "../sns-signing";

/*
 * What the local sinks send back after taking a message, so `npm start` shows the whole receipt
 * cycle: accepted (`sending`), then the provider's report (`delivered`). They run after the sink
 * has answered (waitUntil), with a short pause, as the real providers report a little later, and
 * only ever call this Worker's own origin: a sink is a stand-in for a provider, not a way to make
 * the Worker post to arbitrary addresses.
 */

/** Pause before each report: long enough for the delivery's outcome (with its provider id) to be stored first. */
export const SINK_RECEIPT_DELAY_MS = 1000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `url` is on `origin` (the Worker's own, as the sink was called on it). */
function onOrigin(url: string, origin: string): boolean {
  return URL.canParse(url) && new URL(url).origin === origin;
}

/**
 * Waits before each retry of a report. SNS and Twilio retry a post that fails or is answered
 * 5xx/429; so does the sink, or a busy local Worker (a large merge on two cores) would leave
 * messages `sending` for good. Short enough that both of Twilio's reports, retries and pauses
 * included, end well inside the 30 s a Worker's waitUntil may run after its response.
 */
export const SINK_RETRY_DELAYS_MS = [500, 1000, 2000, 4000] as const;

async function deliver(url: string, init: RequestInit, what: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let outcome: string;
    try {
      const res = await fetch(url, init);
      await res.body?.cancel();
      if (res.ok) return;
      outcome = `answered ${res.status}`;
      // A refusal (a bad signature, an unknown topic) will not change on a retry.
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      outcome = `not posted: ${String(err)}`;
    }
    const delay = SINK_RETRY_DELAYS_MS[attempt];
    if (delay === undefined) {
      log("warn", `dev sink: ${what} gave up after ${attempt + 1} attempts`, { url, outcome });
      return;
    }
    await pause(delay);
  }
  log("warn", `dev sink: ${what} was refused`, { url });
}

/**
 * Twilio's status callbacks for one message, `sent` then `delivered`, form-encoded and signed
 * with the auth token the sink was called with (X-Twilio-Signature), as Twilio posts them.
 *
 * @example
 * ```ts
 * c.executionCtx.waitUntil(twilioStatusCallbacks(origin, { url: "http://127.0.0.1:8787/hooks/twilio", authToken, accountSid, sid, from, to }));
 * ```
 */
export async function twilioStatusCallbacks(
  origin: string,
  m: { url: string; authToken: string; accountSid: string; sid: string; from: string | null; to: string; messagingServiceSid: string | null },
): Promise<void> {
  if (!onOrigin(m.url, origin)) {
    log("warn", "dev sink: StatusCallback is not on this Worker's origin; not called", { url: m.url });
    return;
  }
  for (const status of ["sent", "delivered"]) {
    await pause(SINK_RECEIPT_DELAY_MS);
    const params = new URLSearchParams({ AccountSid: m.accountSid, ApiVersion: "2010-04-01", MessageSid: m.sid, SmsSid: m.sid, MessageStatus: status, SmsStatus: status, To: m.to });
    if (m.from) params.set("From", m.from);
    if (m.messagingServiceSid) params.set("MessagingServiceSid", m.messagingServiceSid);
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": await twilioSignature(m.authToken, m.url, params),
      "i-twilio-idempotency-token": crypto.randomUUID(),
    };
    await deliver(m.url, { method: "POST", headers, body: params.toString() }, `Twilio ${status} callback`);
  }
}

/**
 * SES Delivery events for the messages the sink took, each wrapped in an SNS Notification signed
 * with the dev SNS key, posted to /hooks/ses as SNS posts to an HTTPS subscription.
 *
 * @example
 * ```ts
 * c.executionCtx.waitUntil(sesDeliveryEvents(env.BUCKET, origin, topicArn, [{ messageId, source, destination }]));
 * ```
 */
export async function sesDeliveryEvents(bucket: R2Bucket, origin: string, topicArn: string, sent: { messageId: string; source: string; destination: string[] }[]): Promise<void> {
  await pause(SINK_RECEIPT_DELAY_MS);
  await Promise.all(
    sent.map(async (m) => {
      const now = new Date().toISOString();
      const record = {
        eventType: "Delivery",
        mail: { timestamp: now, source: m.source, sendingAccountId: "000000000000", messageId: m.messageId, destination: m.destination, headersTruncated: false },
        delivery: { timestamp: now, processingTimeMillis: SINK_RECEIPT_DELAY_MS, recipients: m.destination, smtpResponse: "250 2.0.0 OK (local sink)", reportingMTA: "local-sink.edge-notify.invalid" },
      };
      const body = JSON.stringify(await devSnsNotification(bucket, origin, topicArn, JSON.stringify(record)));
      await deliver(`${origin}/hooks/ses`, { method: "POST", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" }, body }, "SES Delivery event");
    }),
  );
}
