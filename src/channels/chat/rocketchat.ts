import { errorBody, httpFailure } from "../http-errors";
import { type ChatMessage, type ChatProvider, ProviderError, type SendOutcome } from "../types";
import { postJson, redactUrl } from "./post-json";

/** Rocket.Chat incoming webhook: `text`, plus `attachments` from the card. */
export class RocketChatProvider implements ChatProvider {
  readonly name = "rocketchat";

  async send(message: ChatMessage, signal?: AbortSignal): Promise<SendOutcome> {
    const card = message.card;
    const attachments = Array.isArray(card) ? card : card && Array.isArray(card.attachments) ? card.attachments : undefined;
    const res = await postJson(this.name, message.target.url, { text: message.text, ...(attachments ? { attachments } : {}) }, signal);
    const data = await errorBody<{ success: boolean; error: string }>(res);
    if (res.ok && data.success !== false) return { status: "delivered" };
    if (res.ok) {
      // Rocket.Chat can answer 200 with success: false (e.g. a disabled integration).
      throw new ProviderError(this.name, "permanent", `rocketchat: ${data.error ?? "refused"} (${redactUrl(message.target.url)})`, { httpStatus: res.status });
    }
    throw httpFailure(this.name, res, { message: `${data.error ?? data.text ?? res.statusText} (${redactUrl(message.target.url)})` });
  }
}
