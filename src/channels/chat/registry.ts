import type { Env } from "../../env";
import { type ChatProvider, type ChatTargetType, ProviderError } from "../types";
import { RocketChatProvider } from "./rocketchat";
import { SlackChatProvider } from "./slack";
import { TeamsChatProvider } from "./teams";
import { GenericWebhookProvider } from "./webhook";

/** Every chat target type; `satisfies` keeps the list from naming a type the contract lacks. */
export const CHAT_TARGET_TYPES = ["slack", "teams", "rocketchat", "webhook"] as const satisfies readonly ChatTargetType[];

/** One adapter per target type; the Record makes a new ChatTargetType fail to compile until it has one. */
const PROVIDERS: Record<ChatTargetType, () => ChatProvider> = {
  slack: () => new SlackChatProvider(),
  teams: () => new TeamsChatProvider(),
  rocketchat: () => new RocketChatProvider(),
  webhook: () => new GenericWebhookProvider(),
};

/**
 * The adapter for a target type. Chat adapters need no deployment settings (each message carries
 * its target URL), so `env` is accepted for symmetry with the other registries and unused.
 *
 * @example
 * ```ts
 * createChatProvider("slack", env).send({ deliveryId, target: { type: "slack", url }, text: "Hi" })
 * ```
 */
export function createChatProvider(type: ChatTargetType, _env: Env): ChatProvider {
  // Types come from stored deliveries, so an unknown one is possible at runtime.
  const create = Object.hasOwn(PROVIDERS, type) ? PROVIDERS[type] : undefined;
  if (!create) throw new ProviderError(type, "configuration", `Unknown chat target type ${type} (known: ${CHAT_TARGET_TYPES.join(", ")})`);
  return create();
}

/**
 * Checks a chat target URL before it is stored or used: https only (http too when
 * ALLOW_INSECURE_WEBHOOKS is "true", for local development) and no user or password in it.
 * Returns null when the URL is usable, otherwise the reason worded for a 422 field error, so a
 * request validator can push it straight into its error list.
 *
 * @example
 * ```ts
 * assertTargetUrl("https://hooks.slack.com/services/T0/B0/x", env) // null
 * assertTargetUrl("http://example.com/hook", env)                  // "Must be an https URL"
 * assertTargetUrl("https://user:pw@example.com/hook", env)         // "Must not contain a user name or password"
 * ```
 */
export function assertTargetUrl(url: string, env: Env): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Not a valid URL";
  }
  const insecureAllowed = env.ALLOW_INSECURE_WEBHOOKS === "true";
  if (parsed.protocol !== "https:" && !(insecureAllowed && parsed.protocol === "http:")) {
    return insecureAllowed ? "Must be an http or https URL" : "Must be an https URL";
  }
  // fetch refuses URLs with userinfo, and credentials there would travel wherever the URL is shown.
  if (parsed.username || parsed.password) return "Must not contain a user name or password";
  return null;
}
