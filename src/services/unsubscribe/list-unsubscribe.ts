import type { ServiceContext } from "../context";
import type { EmailPayload, PlannedDelivery } from "../send/payloads";
import type { Plan } from "../send/plan";
import { suppressionKey } from "../suppressions/suppressions";
import { issueUnsubscribeToken } from "./token";

/** The path one-click unsubscribe links point at (`${origin}/u/{token}`), served without tenant credentials. */
export const UNSUBSCRIBE_PATH = "/u";

/**
 * Whether emails carry RFC 8058 one-click unsubscribe headers: the event type's choice when it
 * makes one (`eventTypeSetting`, for event sends), otherwise the tenant default
 * `email.unsubscribe.enabled` (PATCH /api/v1/tenant/defaults); off unless enabled.
 *
 * @example
 * ```ts
 * listUnsubscribeEnabled(ctx)        // the tenant default
 * listUnsubscribeEnabled(ctx, false) // an event type that turns it off
 * ```
 */
export function listUnsubscribeEnabled(ctx: Pick<ServiceContext, "settings">, eventTypeSetting?: boolean): boolean {
  return eventTypeSetting ?? ctx.settings.email?.unsubscribe?.enabled ?? false;
}

/** The two headers of RFC 8058 for one recipient's link. */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}

/**
 * Gives every email of the plan the sender's own one-click unsubscribe URL (RFC 8058 headers),
 * Notify's `one_click_unsubscribe_url`. Unlike our links it is one URL for the whole send, so an
 * email to several addresses stays one email: the sender's URL says whom it unsubscribes.
 *
 * @example
 * ```ts
 * useListUnsubscribeUrl(plan, "https://example.com/unsubscribe?u=123")
 * // each email's payload.headers: { "List-Unsubscribe": "<https://example.com/unsubscribe?u=123>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
 * ```
 */
export function useListUnsubscribeUrl(plan: Plan, url: string): Plan {
  const deliveries = plan.deliveries.map((delivery): PlannedDelivery => {
    if (delivery.channel !== "email" || delivery.failed) return delivery;
    const email = delivery.payload as EmailPayload;
    return { ...delivery, payload: { ...email, headers: { ...email.headers, ...listUnsubscribeHeaders(url) } } };
  });
  return { ...plan, deliveries };
}

/** What a preview shows in place of a token: the link's form, working for no one. */
export const PREVIEW_TOKEN = "preview";

/**
 * Gives every email of the plan one-click unsubscribe headers. A link unsubscribes one person, so
 * an email to several addresses becomes one email per address (each addressed to that recipient
 * alone: to, cc and bcc recipients each get their own copy, and the status rows keep their role);
 * signing the link for the first `to` would let any other recipient unsubscribe that person with
 * one click. Runs after suppression, so no link is made for a suppressed address. A preview gets
 * the headers with a link that works for no one (PREVIEW_TOKEN): a working link would let any key
 * that may preview (a test key, a send-only key) suppress any address it names.
 */
export async function addListUnsubscribe(ctx: Pick<ServiceContext, "env" | "tenant" | "origin" | "now">, plan: Plan, options: { preview?: boolean } = {}): Promise<Plan> {
  if (!plan.deliveries.some((d) => d.channel === "email")) return plan;
  const deliveries: PlannedDelivery[] = [];
  for (const delivery of plan.deliveries) {
    if (delivery.channel !== "email" || delivery.failed) {
      deliveries.push(delivery);
      continue;
    }
    const email = delivery.payload as EmailPayload;
    for (const recipient of delivery.recipients) {
      const key = suppressionKey("email", recipient.address, "CA");
      const token = options.preview
        ? PREVIEW_TOKEN
        : await issueUnsubscribeToken(
            ctx.env,
            { tenantId: ctx.tenant.id, channel: "email", recipient: key.ok ? key.recipient : recipient.address },
            delivery.scheduledFor ?? ctx.now,
          );
      const { cc: _cc, bcc: _bcc, ...rest } = email.recipients;
      deliveries.push({
        ...delivery,
        recipients: [recipient],
        payload: {
          ...email,
          recipients: { ...rest, to: [recipient.address] },
          headers: { ...email.headers, ...listUnsubscribeHeaders(`${ctx.origin}${UNSUBSCRIBE_PATH}/${token}`) },
        },
      });
    }
  }
  return { ...plan, deliveries };
}
