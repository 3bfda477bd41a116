import { and, eq, inArray } from "drizzle-orm";
import { deliveries, messages } from "../../db/schema";
import type { ServiceContext } from "../context";
import { ownedNotificationId } from "./owned";

/** At most this many messages' payloads are read at once: an email's payload may be large. */
export const MAX_PAYLOADS = 25;

/** A payload longer than this (as indented JSON) is cut, and says so. */
export const MAX_PAYLOAD_CHARS = 100_000;

export interface SentPayload {
  deliveryId: string;
  /** The stored payload as indented JSON, with the secrets it carries hidden (see `hidePayloadSecrets`). */
  json: string;
  truncated: boolean;
}

// A file link's key and an unsubscribe link's token are bearer secrets: whoever holds one opens
// the file or unsubscribes the person. They stay in the email, never on a page. A token is
// dot-separated segments (services/unsubscribe/token.ts), so dots are part of it.
const FILE_LINK_KEY = /(https?:\/\/[^\s"'<>]+?\/f\/[A-Za-z0-9-]+\?key=)[A-Za-z0-9_-]+/g;
const UNSUBSCRIBE_TOKEN = /(https?:\/\/[^\s"'<>]+?\/u\/)[A-Za-z0-9_.~-]{16,}/g;
// An admin invitation is the tenant's own email (admin-identity/invites.ts): its one-time sign-in
// link would let anyone who reads the tenant's activity (a read-only user) sign in as the invitee.
const SIGN_IN_LINK = /(\/admin\/sign-in\/link\/)[A-Za-z0-9_-]{43}/g;
const HIDDEN = "[hidden]";

/**
 * A stored payload as it may be shown: attachments' storage keys and a chat target's secret
 * removed (as previews do), a chat target's URL cut to its origin, file link keys, unsubscribe tokens and admin sign-in link tokens
 * replaced by `[hidden]`.
 *
 * @example
 * ```ts
 * hidePayloadSecrets({ content: { body: "https://n.gov/f/0193?key=abc" } }) // { content: { body: "https://n.gov/f/0193?key=[hidden]" } }
 * ```
 */
export function hidePayloadSecrets(payload: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...payload };
  if (Array.isArray(copy.attachments)) copy.attachments = copy.attachments.map((a: Record<string, unknown>) => Object.fromEntries(Object.entries(a).filter(([k]) => k !== "key")));
  if (copy.target && typeof copy.target === "object") {
    const target = Object.fromEntries(Object.entries(copy.target).filter(([k]) => k !== "secret"));
    // A Slack or Teams webhook URL's path (and often a generic one's query) is its credential:
    // the read role sees the origin only, as on the chat targets screen.
    if (typeof target.url === "string") target.url = URL.canParse(target.url) ? `${new URL(target.url).origin}/…` : HIDDEN;
    copy.target = target;
  }
  return JSON.parse(JSON.stringify(copy).replace(FILE_LINK_KEY, `$1${HIDDEN}`).replace(UNSUBSCRIBE_TOKEN, `$1${HIDDEN}`).replace(SIGN_IN_LINK, `$1${HIDDEN}`)) as Record<string, unknown>;
}

/**
 * The payloads handed to the provider for some of a notification's messages (at most
 * MAX_PAYLOADS), keyed by message id, secrets hidden. Messages of one email share a delivery and
 * so a payload. Another tenant's notification is a 404; ids not in it are left out.
 *
 * @example
 * ```ts
 * const payloads = await sentPayloads(ctx, notifyId, view.messages.map((m) => m.messageId));
 * payloads.get(messageId)?.json // '{\n  "provider": "ses", …'
 * ```
 */
export async function sentPayloads(ctx: ServiceContext, notifyId: string, messageIds: string[]): Promise<Map<string, SentPayload>> {
  const id = await ownedNotificationId(ctx, notifyId);
  const wanted = [...new Set(messageIds.map((m) => m.toLowerCase()))].slice(0, MAX_PAYLOADS);
  const out = new Map<string, SentPayload>();
  if (wanted.length === 0) return out;
  const rows = await ctx.db
    .select({ messageId: messages.id, deliveryId: deliveries.id, payload: deliveries.payload })
    .from(messages)
    .innerJoin(deliveries, eq(deliveries.id, messages.deliveryId))
    .where(and(eq(messages.notificationId, id), eq(messages.tenantId, ctx.tenant.id), eq(deliveries.tenantId, ctx.tenant.id), inArray(messages.id, wanted)));
  const byDelivery = new Map<string, SentPayload>();
  for (const row of rows) {
    let shown = byDelivery.get(row.deliveryId);
    if (!shown) {
      const json = JSON.stringify(hidePayloadSecrets(row.payload), null, 2);
      shown = { deliveryId: row.deliveryId, json: json.slice(0, MAX_PAYLOAD_CHARS), truncated: json.length > MAX_PAYLOAD_CHARS };
      byDelivery.set(row.deliveryId, shown);
    }
    out.set(row.messageId, shown);
  }
  return out;
}
