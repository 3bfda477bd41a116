import { remoteCode } from "../../lib/outbound/summary";
import { DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from "../../lib/outbound/url-policy";
import type { ChatMessage, ChatProvider, SendOutcome } from "../types";
import { cardList, postJson, targetFailure } from "./webhook-http";

/** Rocket.Chat's error identifiers are kebab-case (`error-running-script`, `error-invalid-user`). */
const ROCKET_CODE = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/**
 * Rocket.Chat's answer: `{success: true}`, or `{success: false, error}` for a refusal (400); a
 * token it does not know is refused by its REST layer as `{status: "error", message}`. Only
 * `success` and an identifier-shaped `error` are read: the rest is free text.
 */
function readAnswer(text: string): { refused: boolean; code?: string } {
  try {
    const data: unknown = JSON.parse(text);
    if (!data || typeof data !== "object") return { refused: false };
    const answer = data as { success?: unknown; error?: unknown };
    return { refused: answer.success === false, code: remoteCode(answer.error, ROCKET_CODE) };
  } catch {
    return { refused: false };
  }
}

/**
 * Rocket.Chat incoming webhook (Administration → Integrations → Incoming): POST `{text,
 * attachments?}` to the webhook URL, which carries the integration id and token. A disabled
 * integration answers 503, so it is retried before it counts as failed.
 */
export class RocketChatProvider implements ChatProvider {
  readonly name = "rocketchat";

  constructor(private readonly policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY) {}

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const attachments = cardList(message.card, "attachments");
    const body = { text: message.text, ...(attachments ? { attachments } : {}) };
    const res = await postJson(this.name, message.target.url, JSON.stringify(body), this.policy, signal);
    const answer = readAnswer(res.text);
    if (!res.ok) throw targetFailure(this.name, res, message.target.url, { code: answer.code });
    // The body is the authority: a 2xx that reports success: false did not post the message.
    if (answer.refused) throw targetFailure(this.name, res, message.target.url, { code: answer.code, kind: "permanent" });
    return { status: "delivered" };
  }
}
