import { errorBody } from "../http-errors";
import { type ChatMessage, type ChatProvider, ProviderError, type SendOutcome } from "../types";
import { cardList, postJson, redactUrl, scrub, targetFailure } from "./webhook-http";

/**
 * Rocket.Chat's answer: `{success: true}`, or `{success: false, error}` for a refusal (400); a
 * token it does not know is refused by its REST layer as `{status: "error", message}`.
 */
interface RocketChatAnswer {
  success: boolean;
  error: string;
  message: string;
}

/**
 * Rocket.Chat incoming webhook (Administration → Integrations → Incoming): POST `{text,
 * attachments?}` to the webhook URL, which carries the integration id and token. A disabled
 * integration answers 503, so it is retried before it counts as failed.
 */
export class RocketChatProvider implements ChatProvider {
  readonly name = "rocketchat";

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const attachments = cardList(message.card, "attachments");
    const body = { text: message.text, ...(attachments ? { attachments } : {}) };
    const res = await postJson(this.name, message.target.url, JSON.stringify(body), signal);
    const data = await errorBody<RocketChatAnswer>(res);
    const said = data.error ?? data.message ?? data.text;
    if (!res.ok) throw targetFailure(this.name, res, message.target.url, { message: said });
    // The body is the authority: a 2xx that reports success: false did not post the message.
    if (data.success === false) {
      throw new ProviderError(this.name, "permanent", `rocketchat: ${scrub(said || "refused", message.target.url)} (${redactUrl(message.target.url)})`, {
        httpStatus: res.status,
      });
    }
    return { status: "delivered" };
  }
}
