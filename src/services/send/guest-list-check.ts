import { ApiError, type FieldError } from "../../lib/errors/api-error";
import { guestEmailKey, readGuestList } from "../guest-list/guest-list";
import type { SendContext } from "./context";
import type { MsgAppPayload } from "./payloads";
import type { Plan } from "./plan";

/** Why a send is held to the guest list, as the refusal words it; null when it is not. */
export function guestListRestriction(ctx: Pick<SendContext, "principal" | "tenant">): "team key" | "trial mode" | null {
  // Test keys never reach anyone, so they may address anyone (GOV.UK Notify's rule).
  if (ctx.principal.keyType === "test") return null;
  if (ctx.principal.keyType === "team") return "team key";
  if (ctx.tenant.status === "trial") return "trial mode";
  return null;
}

/**
 * GOV.UK Notify's team keys and trial mode: a team key, or any key of a trial tenant, may send
 * only to the tenant's guest list. Chat targets are not people: a target the tenant configured
 * in its defaults (which needs `manage`) is allowed, an inline webhook URL is not. Every refused
 * recipient is listed; nothing is sent or stored. Reads the guest list (one D1 query) only when
 * the send is restricted and has email or SMS recipients.
 */
export async function assertRecipientsAllowed(ctx: SendContext, plan: Plan): Promise<void> {
  const restriction = guestListRestriction(ctx);
  if (!restriction) return;
  const errors: FieldError[] = [];

  for (const delivery of plan.deliveries) {
    if (delivery.channel !== "msgApp" || (delivery.payload as MsgAppPayload).target.name !== undefined) continue;
    const path = delivery.recipients[0]?.path ?? "msgApp.target";
    errors.push({ path, message: `An inline chat target is not allowed (${restriction}); use a target named in your tenant defaults` });
  }

  // A delivery that failed while planned (a subscription service not answering) reaches no one.
  const people = plan.deliveries.filter((d) => d.channel !== "msgApp" && !d.failed).flatMap((d) => d.recipients.map((r) => ({ ...r, channel: d.channel })));
  if (people.length > 0) {
    const list = await readGuestList(ctx);
    const emails = new Set(list.emails);
    const phones = new Set(list.phones);
    for (const r of people) {
      const allowed = r.channel === "email" ? emails.has(guestEmailKey(r.address)) : phones.has(r.address);
      if (!allowed) errors.push({ path: r.path ?? r.channel, message: `${r.address} is not on your guest list (${restriction})` });
    }
  }

  if (errors.length > 0) {
    throw new ApiError("recipient_not_allowed", {
      detail:
        restriction === "team key"
          ? `A team key may send only to the tenant's guest list; ${errors.length} recipient${errors.length === 1 ? " is" : "s are"} not on it`
          : `A tenant in trial mode may send only to its guest list; ${errors.length} recipient${errors.length === 1 ? " is" : "s are"} not on it`,
      errors,
    });
  }
}
