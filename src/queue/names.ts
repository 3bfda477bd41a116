import type { Env } from "../env";

/**
 * The queues this Worker consumes, by their logical (wrangler.toml) names. notify-email-events has
 * no producer here: Cloudflare's Email Sending event subscription publishes to it.
 */
export const LOGICAL_QUEUES = ["notify-deliver", "notify-fanout", "notify-events", "notify-dead-letter", "notify-email-events"] as const;
export type LogicalQueue = (typeof LOGICAL_QUEUES)[number];

/**
 * The logical queue a batch came from, or null for a queue this Worker does not know.
 *
 * Names are matched exactly against the logical names plus the deployment's `QUEUE_NAME_SUFFIX`
 * (empty by default; a `[env.<region>]` block that renames its queues to `notify-deliver-ca`… sets
 * it to `-ca`). The suffix is configured rather than guessed by stripping "anything after the last
 * dash" because `notify-dead-letter` itself contains dashes, and because a queue of another
 * environment bound here by mistake must be refused, not processed as if it were ours.
 *
 * @example
 * ```ts
 * logicalQueue("notify-deliver", {});                                  // "notify-deliver"
 * logicalQueue("notify-deliver-ca", { QUEUE_NAME_SUFFIX: "-ca" });     // "notify-deliver"
 * logicalQueue("notify-deliver-ca", {});                               // null
 * logicalQueue("notify-deliver", { QUEUE_NAME_SUFFIX: "-ca" });        // null
 * ```
 */
export function logicalQueue(name: string, env: Pick<Env, "QUEUE_NAME_SUFFIX">): LogicalQueue | null {
  const suffix = env.QUEUE_NAME_SUFFIX ?? "";
  return LOGICAL_QUEUES.find((logical) => `${logical}${suffix}` === name) ?? null;
}
