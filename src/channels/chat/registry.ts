import type { Env } from "../../env";
import type { ChatProvider, ChatTargetType } from "../types";
import { RocketChatProvider } from "./rocketchat";
import { SlackChatProvider } from "./slack";
import { TeamsChatProvider } from "./teams";
import { GenericWebhookProvider } from "./webhook";

export const CHAT_TARGET_TYPES = ["slack", "teams", "rocketchat", "webhook"] as const satisfies readonly ChatTargetType[];

/** Chat providers need no system configuration: each message carries its target. */
export function createChatProvider(type: ChatTargetType, _env: Env): ChatProvider {
  switch (type) {
    case "slack":
      return new SlackChatProvider();
    case "teams":
      return new TeamsChatProvider();
    case "rocketchat":
      return new RocketChatProvider();
    case "webhook":
      return new GenericWebhookProvider();
  }
}

/**
 * Whether a chat target URL may be used: https only (http when ALLOW_INSECURE_WEBHOOKS is
 * "true", for local development), and no credentials in the URL. Null when usable, otherwise
 * the reason, worded for a 422 field error.
 *
 * @example
 * ```ts
 * assertTargetUrl("https://hooks.slack.com/services/T/B/X", env) // null
 * assertTargetUrl("http://example.com/hook", env)                // "Must be an https URL"
 * ```
 */
export function assertTargetUrl(url: string, env: Env): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Not a URL";
  }
  const insecureAllowed = env.ALLOW_INSECURE_WEBHOOKS === "true";
  if (parsed.protocol !== "https:" && !(insecureAllowed && parsed.protocol === "http:")) return "Must be an https URL";
  if (parsed.username || parsed.password) return "Must not contain credentials";
  return null;
}
