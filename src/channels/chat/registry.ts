import type { Env } from "../../env";
import { type OutboundPolicy, outboundPolicy } from "../../lib/outbound/url-policy";
import { type ChatProvider, type ChatTargetType, ProviderError } from "../types";
import { RocketChatProvider } from "./rocketchat";
import { SlackChatProvider } from "./slack";
import { TeamsChatProvider } from "./teams";
import { GenericWebhookProvider } from "./webhook";

/** Every chat target type; `satisfies` keeps the list from naming a type the contract lacks. */
export const CHAT_TARGET_TYPES = ["slack", "teams", "rocketchat", "webhook"] as const satisfies readonly ChatTargetType[];

/** One adapter per target type; the Record makes a new ChatTargetType fail to compile until it has one. */
const PROVIDERS: Record<ChatTargetType, (policy: OutboundPolicy) => ChatProvider> = {
  slack: (policy) => new SlackChatProvider(policy),
  teams: (policy) => new TeamsChatProvider(policy),
  rocketchat: (policy) => new RocketChatProvider(policy),
  webhook: (policy) => new GenericWebhookProvider(policy),
};

/**
 * The adapter for a target type. Each message carries its own target URL, so the only deployment
 * setting an adapter needs is the outbound-URL policy (OUTBOUND_ALLOW_LOOPBACK, PUBLIC_ORIGIN),
 * which it applies again at send time: a stored URL is re-checked whenever it is used.
 *
 * @example
 * ```ts
 * createChatProvider("slack", env).send({ deliveryId, target: { type: "slack", url }, text: "Hi" })
 * ```
 */
export function createChatProvider(type: ChatTargetType, env: Env): ChatProvider {
  // Types come from stored deliveries, so an unknown one is possible at runtime.
  const create = Object.hasOwn(PROVIDERS, type) ? PROVIDERS[type] : undefined;
  if (!create) throw new ProviderError(type, "configuration", `Unknown chat target type ${type} (known: ${CHAT_TARGET_TYPES.join(", ")})`);
  return create(outboundPolicy(env));
}
