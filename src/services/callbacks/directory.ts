import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type CallbackChannelType, callbacks } from "../../db/schema";
import { LruCache } from "../../lib/lru-cache";

/** What resolving a send's callbacks needs to know of one registration. */
export interface CallbackEntry {
  id: string;
  channelTypes: CallbackChannelType[];
  active: boolean;
}

/**
 * How long an isolate trusts its copy of a tenant's registrations. Every send resolves them, and
 * a D1 round trip per send for a list that changes a few times a year would cost more than
 * anything else on the accept path; a registration changed in another isolate reaches sends
 * there within this time (this isolate's own changes are seen at once).
 */
const FRESH_MS = 5_000;
const entries = new LruCache<string, { until: number; list: Promise<CallbackEntry[]> }>(1_000);

/**
 * The tenant's registrations (at most MAX_CALLBACKS_PER_TENANT), from this isolate's copy when fresh.
 *
 * @example
 * ```ts
 * const list = await tenantCallbacks(ctx.db, ctx.tenant.id, ctx.now);
 * list.filter((c) => c.active && c.channelTypes.includes("email"));
 * ```
 */
export function tenantCallbacks(db: Db, tenantId: string, now: Date): Promise<CallbackEntry[]> {
  const cached = entries.get(tenantId);
  if (cached && cached.until > now.getTime()) return cached.list;
  const list = db
    .select({ id: callbacks.id, channelTypes: callbacks.channelTypes, active: callbacks.active })
    .from(callbacks)
    .where(eq(callbacks.tenantId, tenantId))
    .then((rows) => rows);
  // A failed read is not remembered: the next send asks again.
  list.catch(() => entries.delete(tenantId));
  entries.set(tenantId, { until: now.getTime() + FRESH_MS, list });
  return list;
}

/** Forgets this isolate's copy after a registration changed, so the next send here reads it anew. */
export function forgetTenantCallbacks(tenantId: string): void {
  entries.delete(tenantId);
}
