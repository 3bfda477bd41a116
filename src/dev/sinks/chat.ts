import type { Context } from "hono";
import type { AppEnv } from "../../lib/app-env";
import type { App } from "../../lib/router";
import { type CapturedProvider, saveMessage } from "../store";
import { capturedHeaders, hasMediaType, isObject, readJson } from "./http";

// Local stand-ins for chat webhooks: any URL under /dev/sink/{provider}/… is a valid target, so
// a tenant's chat target can point here. Each checks the body its provider expects and answers
// as that provider does, including its error style.

/** How one provider answers: its success response and its error style. */
interface ChatSink {
  provider: CapturedProvider;
  accepted(): Response;
  /** An error answer in the provider's style, with its machine code and its words. */
  refused(status: number, code: string, message: string): Response;
  /** The provider's codes for the refusals every sink shares. */
  codes: { notFound: string; method: string; payload: string };
  /** The message text, or a refusal when the body is not what this provider accepts. */
  read(body: unknown, headers: Headers): { text?: string } | { refusal: Response };
}

const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";

/** Text of every TextBlock and TextRun in an Adaptive Card, in document order. */
function cardText(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardText);
  if (!isObject(node)) return [];
  const own = (node.type === "TextBlock" || node.type === "TextRun") && typeof node.text === "string" ? [node.text] : [];
  return [...own, ...Object.values(node).flatMap(cardText)];
}

const slack: ChatSink = {
  provider: "slack",
  accepted: () => new Response("ok", { headers: { "content-type": "text/plain; charset=utf-8" } }),
  // Slack's incoming webhooks answer errors as a bare snake_case code.
  refused: (status, code) => new Response(code, { status, headers: { "content-type": "text/plain; charset=utf-8" } }),
  codes: { notFound: "no_service", method: "invalid_method", payload: "invalid_payload" },
  read(body) {
    if (!isObject(body)) return { refusal: slack.refused(400, slack.codes.payload, "The body must be a JSON object") };
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return { refusal: slack.refused(400, "invalid_blocks", "blocks must be an array") };
    const text = typeof body.text === "string" ? body.text : undefined;
    if (!text && !(Array.isArray(body.blocks) && body.blocks.length > 0)) return { refusal: slack.refused(400, "no_text", "Either text or blocks is required") };
    return { text };
  },
};

const teams: ChatSink = {
  provider: "teams",
  // A Workflows trigger answers 202 as soon as the flow is started, with no body.
  accepted: () => new Response(null, { status: 202 }),
  // Power Automate's error document.
  refused: (status, code, message) => Response.json({ error: { code, message } }, { status }),
  codes: { notFound: "WorkflowNotFound", method: "InvalidRequestMethod", payload: "InvalidRequestContent" },
  read(body) {
    const mismatch = (message: string) => ({ refusal: teams.refused(400, "TriggerInputSchemaMismatch", message) });
    if (!isObject(body)) return { refusal: teams.refused(400, teams.codes.payload, "The request content is not a JSON object") };
    if (body.type !== "message") return mismatch(`'type' must be "message"`);
    if (!Array.isArray(body.attachments) || body.attachments.length === 0) return mismatch("'attachments' must be a non-empty array");
    for (const [i, attachment] of body.attachments.entries()) {
      if (!isObject(attachment) || attachment.contentType !== ADAPTIVE_CARD) return mismatch(`attachments[${i}].contentType must be "${ADAPTIVE_CARD}"`);
      if (!isObject(attachment.content) || attachment.content.type !== "AdaptiveCard") return mismatch(`attachments[${i}].content must be an Adaptive Card`);
    }
    const text = cardText(body.attachments.map((a: Record<string, unknown>) => a.content)).join("\n");
    return { text: text || undefined };
  },
};

const rocketchat: ChatSink = {
  provider: "rocketchat",
  accepted: () => Response.json({ success: true }),
  // Rocket.Chat's REST error document.
  refused: (status, code, message) => Response.json({ success: false, error: message, errorType: code }, { status }),
  codes: { notFound: "error-invalid-integration", method: "error-invalid-method", payload: "error-invalid-payload" },
  read(body) {
    const invalid = (message: string) => ({ refusal: rocketchat.refused(400, rocketchat.codes.payload, message) });
    if (!isObject(body)) return invalid("The request body must be a JSON object");
    if (body.attachments !== undefined && !Array.isArray(body.attachments)) return invalid("'attachments' must be an array");
    const text = typeof body.text === "string" ? body.text : undefined;
    if (!text && !(Array.isArray(body.attachments) && body.attachments.length > 0)) return invalid("Either 'text' or 'attachments' is required");
    return { text };
  },
};

const SIGNATURE_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"];
/** One or more space-separated `v1,<base64>` signatures. */
const SIGNATURES = /^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$/;

const webhook: ChatSink = {
  provider: "webhook",
  accepted: () => new Response(null, { status: 204 }),
  // No provider to imitate: a plain JSON error, whose message the webhook adapter quotes.
  refused: (status, code, message) => Response.json({ error: code, message }, { status }),
  codes: { notFound: "not_found", method: "method_not_allowed", payload: "invalid_payload" },
  read(body, headers) {
    const invalid = (message: string) => ({ refusal: webhook.refused(400, "invalid_signature_headers", message) });
    // Standard Webhooks headers are optional (unsigned targets), but come as a complete, well-formed set.
    const present = SIGNATURE_HEADERS.filter((name) => headers.has(name));
    if (present.length > 0 && present.length < SIGNATURE_HEADERS.length) {
      const missing = SIGNATURE_HEADERS.filter((name) => !headers.has(name));
      return invalid(`Incomplete Standard Webhooks headers: missing ${missing.join(", ")}`);
    }
    if (present.length > 0) {
      if (!/^\d+$/.test(headers.get("webhook-timestamp")!)) return invalid("webhook-timestamp must be integer seconds");
      if (!SIGNATURES.test(headers.get("webhook-signature")!)) return invalid("webhook-signature must be space-separated v1,<base64> signatures");
    }
    return { text: isObject(body) && typeof body.text === "string" ? body.text : undefined };
  },
};

function handler(sink: ChatSink) {
  const prefix = `/dev/sink/${sink.provider}/`;
  return async (c: Context<AppEnv>): Promise<Response> => {
    // The part after the prefix stands for the webhook's own path (ids and token): it has to be there.
    if (c.req.path.length <= prefix.length) return sink.refused(404, sink.codes.notFound, "No such webhook");
    if (c.req.method !== "POST") return sink.refused(405, sink.codes.method, `Webhooks take POST (got ${c.req.method})`);
    if (!hasMediaType(c.req.raw, "application/json")) return sink.refused(400, sink.codes.payload, "The body must be application/json");
    const body = await readJson(c.req.raw);
    if (body === undefined) return sink.refused(400, sink.codes.payload, "The body is not valid JSON");
    const read = sink.read(body, c.req.raw.headers);
    if ("refusal" in read) return read.refusal;
    await saveMessage(c.env.BUCKET, {
      channel: "chat",
      provider: sink.provider,
      to: [c.req.url],
      text: read.text,
      headers: capturedHeaders(c.req.raw.headers),
      raw: body,
    });
    return sink.accepted();
  };
}

/** Mounts the Slack, Teams, Rocket.Chat and generic webhook sinks under /dev/sink/{provider}/…. */
export function registerChatSinks(app: App): void {
  // "/x/*" also matches "/x" itself; the handler refuses a URL without the webhook's own part.
  for (const sink of [slack, teams, rocketchat, webhook]) app.all(`/dev/sink/${sink.provider}/*`, handler(sink));
}
