import { errorBody, httpFailure } from "../http-errors";
import type { ChatMessage, ChatProvider, SendOutcome } from "../types";
import { postJson, redactUrl } from "./post-json";

function adaptiveCard(message: ChatMessage): Record<string, unknown> {
  const card = message.card;
  if (card && !Array.isArray(card) && card.type === "AdaptiveCard") return card;
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [{ type: "TextBlock", text: message.text, wrap: true }],
  };
}

/**
 * Microsoft Teams through a Workflows ("When a Teams webhook request is received") URL, the
 * replacement for the retired Office 365 connectors: a message carrying one Adaptive Card.
 */
export class TeamsChatProvider implements ChatProvider {
  readonly name = "teams";

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const body = {
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: adaptiveCard(message) }],
    };
    const res = await postJson(this.name, message.target.url, body, signal);
    if (res.ok) return { status: "delivered" };
    const data = await errorBody<{ error: { code: string; message: string } }>(res);
    throw httpFailure(this.name, res, {
      message: `${data.error?.message ?? data.text ?? res.statusText} (${redactUrl(message.target.url)})`,
      code: data.error?.code,
    });
  }
}
