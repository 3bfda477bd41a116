import { remoteCode } from "../../lib/outbound/summary";
import { DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from "../../lib/outbound/url-policy";
import type { ChatMessage, ChatProvider, ProviderErrorKind, SendOutcome } from "../types";
import { cardList, postJson, targetFailure } from "./webhook-http";

/**
 * Slack's documented incoming-webhook error bodies that concern the webhook or its channel
 * (deleted, revoked, archived, locked down) rather than this message. They need someone to fix
 * the target, so they are configuration problems whatever HTTP status carries them (no_service
 * comes with 404, channel_is_archived and team_disabled with 410, invalid_token and
 * action_prohibited with 403, no_service_id with 400). Payload errors (invalid_payload, no_text,
 * too_many_attachments, invalid_blocks …) keep the status's kind: permanent. rollup_error (500)
 * and 429 are retryable by status.
 */
const TARGET_ERRORS = new Set([
  "no_service",
  "no_service_id",
  "no_team",
  "team_disabled",
  "invalid_token",
  "channel_not_found",
  "channel_is_archived",
  "action_prohibited",
  "posting_to_general_channel_denied",
  "user_not_found",
]);

/** Slack's error bodies are bare snake_case codes; anything else (a proxy's HTML page) is not one. */
const ERROR_CODE = /^[a-z_]{1,64}$/;

/**
 * Slack incoming webhook: POST `{text, blocks?}` to the webhook URL; Slack answers 200 "ok".
 * `text` is the notification fallback when blocks are present, so it is left out only when empty
 * next to blocks (Slack refuses an empty text without them, and says so).
 */
export class SlackChatProvider implements ChatProvider {
  readonly name = "slack";

  constructor(private readonly policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY) {}

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    // Block Kit blocks: the card itself, or the `blocks` of a saved Slack message payload.
    const blocks = cardList(message.card, "blocks");
    const body = blocks ? { ...(message.text ? { text: message.text } : {}), blocks } : { text: message.text };
    const res = await postJson(this.name, message.target.url, JSON.stringify(body), this.policy, signal);
    if (res.ok) return { status: "delivered" };
    const code = remoteCode(res.text, ERROR_CODE);
    const kind: ProviderErrorKind | undefined = code && TARGET_ERRORS.has(code) && res.status < 500 ? "configuration" : undefined;
    throw targetFailure(this.name, res, message.target.url, { code, kind });
  }
}
