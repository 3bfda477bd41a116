import { and, eq } from "drizzle-orm";
import { replyToAddresses, smsSenders } from "../../db/schema";
import type { ResolvedChannel } from "../resolve/cascade";
import { SOURCES } from "../resolve/layers";
import type { ServiceContext } from "../context";

/**
 * A mail merge plans every row with one context, so each id is read once per context (a plan of
 * 50,000 rows naming one reply-to address is one query, not 50,000).
 */
const cache = new WeakMap<object, Map<string, Promise<string | null>>>();

function once(ctx: ServiceContext, key: string, read: () => Promise<string | null>): Promise<string | null> {
  let byKey = cache.get(ctx);
  if (!byKey) cache.set(ctx, (byKey = new Map()));
  let value = byKey.get(key);
  if (!value) byKey.set(key, (value = read()));
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The address of this tenant's reply-to `id`; null when it has none of that id (another
 * tenant's included), which the send reports as a 422 at the field.
 *
 * @example
 * ```ts
 * await storedReplyTo(ctx, "0193…") // "help@example.gov"
 * ```
 */
export function storedReplyTo(ctx: ServiceContext, id: string): Promise<string | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return once(ctx, `reply-to:${id.toLowerCase()}`, async () => {
    const row = await ctx.db.query.replyToAddresses.findFirst({ columns: { email: true }, where: and(eq(replyToAddresses.id, id.toLowerCase()), eq(replyToAddresses.tenantId, ctx.tenant.id)) });
    return row?.email ?? null;
  });
}

/**
 * The sender of this tenant's SMS sender `id`; null when it has none of that id.
 *
 * @example
 * ```ts
 * await storedSmsSender(ctx, "0193…") // "+17787001234"
 * ```
 */
export function storedSmsSender(ctx: ServiceContext, id: string): Promise<string | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return once(ctx, `sms-sender:${id.toLowerCase()}`, async () => {
    const row = await ctx.db.query.smsSenders.findFirst({ columns: { sender: true }, where: and(eq(smsSenders.id, id.toLowerCase()), eq(smsSenders.tenantId, ctx.tenant.id)) });
    return row?.sender ?? null;
  });
}

/**
 * Whether a stored sender named by id (`refLeaf`) decides over the inline value (`inlineLeaf`):
 * it does unless the inline value was written at a more specific layer of the cascade, so a
 * request's `sender.replyTo` still overrides an event type's `sender.replyToId`, and the reverse.
 * Written at the same layer, the id decides.
 *
 * @example
 * ```ts
 * refDecides(resolved, "sender.replyToId", "sender.replyTo") // true when the request names an id
 * ```
 */
export function refDecides(r: ResolvedChannel, refLeaf: string, inlineLeaf: string): boolean {
  const ref = r.source(refLeaf);
  if (!ref) return false;
  const inline = r.source(inlineLeaf);
  return !inline || SOURCES.indexOf(ref) >= SOURCES.indexOf(inline);
}
