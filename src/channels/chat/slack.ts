import { httpFailure } from "../http-errors";
import type { ChatMessage, ChatProvider, ProviderErrorKind, SendOutcome } from "../types";
import { postJson, redactUrl } from "./post-json";

/**
 * Slack's incoming-webhook error bodies: the webhook or channel is gone or locked (fix the
 * target), versus a payload Slack will never accept (fix the message).
 */
const CONFIGURATION_ERRORS = new Set([
  "invalid_token",
  "no_service",
  "no_service_id",
  "no_team",
  "team_disabled",
  "channel_not_found",
  "channel_is_archived",
  "action_prohibited",
  "posting_to_general_channel_denied",
  "user_not_found",
]);

/** Slack incoming webhook: `text` always (it is the notification fallback), `blocks` from the card. */
export class SlackChatProvider implements ChatProvider {
  readonly name = "slack";

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const card = message.card;
    const blocks = Array.isArray(card) ? card : card && Array.isArray(card.blocks) ? card.blocks : undefined;
    const res = await postJson(this.name, message.target.url, { text: message.text, ...(blocks ? { blocks } : {}) }, signal);
    const body = (await res.text().catch(() => "")).trim();
    if (res.ok) return { status: "delivered" };
    const kind: ProviderErrorKind | undefined = CONFIGURATION_ERRORS.has(body) ? "configuration" : undefined;
    throw httpFailure(this.name, res, { message: `${body || res.statusText} (${redactUrl(message.target.url)})`, code: body || undefined, kind });
  }
}
