import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { snsKeySource } from "../../dev/sns-signing";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import { log } from "../../lib/log";
import { outboundFetch } from "../../lib/outbound/fetch";
import { DEFAULT_OUTBOUND_POLICY } from "../../lib/outbound/url-policy";
import { publicOrigin } from "../../lib/public-origin";
import type { App } from "../../lib/router";
import { applyReceipts } from "../../services/receipts/apply";
import { parseSesRecord, sesReceipts } from "../../services/receipts/ses";
import { isSnsUrl, MAX_SNS_BODY_BYTES, parseSnsMessage, type SnsMessage, verifySnsMessage } from "../../services/receipts/sns";
import { receiptsWired } from "../../services/receipts/wired";
import { ReceiptsAnswerSchema } from "./schemas";

const SesHookAnswerSchema = ReceiptsAnswerSchema.extend({
  confirmed: z.boolean().optional().openapi({ description: "A SubscriptionConfirmation: whether the subscription was confirmed (SubscribeURL fetched)" }),
}).openapi("SesHookAnswer");

const route = createRoute({
  method: "post",
  path: "/hooks/ses",
  tags: ["Delivery receipts"],
  summary: "Amazon SES events through Amazon SNS",
  description:
    "The HTTPS subscription of the SNS topic SES publishes its events to (a configuration set's event destination, or an identity's notifications), when `RECEIPT_PROVIDERS` names `ses`. Every message must come from a topic in `SES_SNS_TOPIC_ARNS`, be at most an hour old, and carry a valid SNS signature (SignatureVersion 1 SHA1withRSA or 2 SHA256withRSA) by a certificate served from https://sns.<region>.amazonaws.com/: unsigned is a 401, anything else wrong a 403, and neither changes anything. A SubscriptionConfirmation is confirmed by fetching its SubscribeURL (SNS hosts only). Delivery, Bounce, Complaint, Reject, DeliveryDelay, Send and RenderingFailure records move each recipient's message (README \"Delivery receipts\"); records for messages this deployment does not know are answered 200 and ignored.",
  responses: {
    200: { description: "Read and applied (or ignored), or the subscription confirmed", content: { "application/json": { schema: SesHookAnswerSchema } } },
    ...problemResponses(400, 401, 403, 404, 413, 503),
  },
});

/** The topics this deployment takes SES events from. */
const topicsOf = (value: string | undefined) => (value ?? "").split(",").map((t) => t.trim()).filter(Boolean);

/** Confirms a subscription by fetching SubscribeURL, only on SNS's own hosts, through the outbound-URL policy. */
async function confirmSubscription(message: SnsMessage): Promise<void> {
  if (!message.SubscribeURL || !isSnsUrl(message.SubscribeURL)) throw new ApiError("forbidden", { detail: "SubscribeURL is not an https://sns.<region>.amazonaws.com/ URL" });
  try {
    const res = await outboundFetch(message.SubscribeURL, { method: "GET" }, { ...DEFAULT_OUTBOUND_POLICY, timeoutMs: 5_000, maxResponseBytes: 16_384 });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    log("warn", "SNS subscription confirmation failed", { topicArn: message.TopicArn, error: String(err) });
    throw new ApiError("unavailable", { detail: "The subscription could not be confirmed with SNS; SNS will send the confirmation again", headers: { "retry-after": "60" } });
  }
  log("info", "SNS subscription confirmed", { topicArn: message.TopicArn });
}

async function receive(c: Context<AppEnv>) {
  const env = c.env;
  if (!receiptsWired(env, "ses")) throw new ApiError("not_found", { detail: "Amazon SES delivery receipts are not wired on this deployment (RECEIPT_PROVIDERS)" });
  const topics = topicsOf(env.SES_SNS_TOPIC_ARNS);
  if (topics.length === 0) throw new ApiError("misconfigured", { detail: "SES receipts need SES_SNS_TOPIC_ARNS: the SNS topics to take events from" });
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_SNS_BODY_BYTES) throw new ApiError("payload_too_large", { detail: `An SNS message is at most ${MAX_SNS_BODY_BYTES} bytes here` });
  const message = parseSnsMessage(new TextDecoder().decode(bytes));
  if (!message) throw new ApiError("invalid_request", { detail: "The body is not an Amazon SNS message" });
  const now = new Date();
  const verified = await verifySnsMessage(message, { topics, now, keyFor: snsKeySource(env, publicOrigin(c)) });
  if (!verified.ok) throw new ApiError(verified.status === 401 ? "unauthorized" : verified.status === 403 ? "forbidden" : "unavailable", { detail: verified.reason });

  if (message.Type === "SubscriptionConfirmation") {
    await confirmSubscription(message);
    return c.json({ applied: 0, ignored: 0, confirmed: true }, 200);
  }
  if (message.Type === "UnsubscribeConfirmation") return c.json({ applied: 0, ignored: 0 }, 200);
  const record = parseSesRecord(message.Message);
  // Something else on the topic (SNS's own test message): answered, so SNS does not retry it.
  if (!record) return c.json({ applied: 0, ignored: 1 }, 200);
  const receipts = sesReceipts(record, now, message.MessageId);
  if (receipts.length === 0) return c.json({ applied: 0, ignored: 1 }, 200);
  return c.json(await applyReceipts(env, receipts), 200);
}

/** POST /hooks/ses: SES events through SNS. */
export function registerSesHook(app: App): void {
  app.openapi(route, receive);
}
