import type { SuppressionRow } from "../../db/schema";
import type { ServiceContext } from "../context";
import type { Plan, SendRequest } from "../send/plan";
import { addListUnsubscribe, listUnsubscribeEnabled, useListUnsubscribeUrl } from "../unsubscribe/list-unsubscribe";
import { removeSuppressedRecipients, type SuppressedRecipient } from "./apply";

/**
 * What happens to a planned send's recipients after planning and the guest-list check, before
 * admission and storage (sends and previews alike): suppressed recipients are removed (a 422 when
 * nothing is left; `knownSuppressed`, when given, is taken as the suppression list's answer instead
 * of reading it), then every email gets the sender's own one-click URL when the request gives one,
 * or else, when one-click unsubscribe is on, its own List-Unsubscribe link (one email per recipient).
 *
 * @example
 * ```ts
 * const { plan, suppressed } = await applyRecipientPolicies(ctx, request, await planRequest(ctx, request));
 * ```
 */
export async function applyRecipientPolicies(
  ctx: Pick<ServiceContext, "db" | "env" | "tenant" | "settings" | "origin" | "now">,
  request: Pick<SendRequest, "listUnsubscribe" | "oneClickUnsubscribeUrl">,
  planned: Plan,
  options: { preview?: boolean; knownSuppressed?: Map<string, SuppressionRow> } = {},
): Promise<{ plan: Plan; suppressed: SuppressedRecipient[] }> {
  const { plan, suppressed } = await removeSuppressedRecipients(ctx, planned, options.knownSuppressed);
  if (request.oneClickUnsubscribeUrl) return { plan: useListUnsubscribeUrl(plan, request.oneClickUnsubscribeUrl), suppressed };
  return { plan: listUnsubscribeEnabled(ctx, request.listUnsubscribe) ? await addListUnsubscribe(ctx, plan, options) : plan, suppressed };
}
