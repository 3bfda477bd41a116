import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { callbacks, type Channel } from "../../db/schema";
import type { FieldError } from "../../lib/errors/api-error";

/** A stored `callbacks` setting's entry, the channel it is for, and where it is written. */
export interface CallbackRef {
  id: string;
  channel: Channel;
  path: string;
}

/**
 * Registrations named in stored settings (tenant defaults, event types) must be the tenant's and
 * registered for the channel when saved. One query for all of them; each problem at its path.
 * (A registration deleted later is skipped by sends, never an error: services/callbacks/resolve.ts.)
 *
 * @example
 * ```ts
 * await checkCallbackRefs(db, tenantId, [{ id, channel: "email", path: "email.callbacks[0]" }]) // [] when usable
 * ```
 */
export async function checkCallbackRefs(db: Db, tenantId: string, refs: CallbackRef[]): Promise<FieldError[]> {
  if (refs.length === 0) return [];
  const rows = await db
    .select({ id: callbacks.id, channelTypes: callbacks.channelTypes })
    .from(callbacks)
    .where(and(eq(callbacks.tenantId, tenantId), inArray(callbacks.id, [...new Set(refs.map((r) => r.id.toLowerCase()))])));
  const known = new Map(rows.map((r) => [r.id, r.channelTypes]));
  return refs.flatMap((r) => {
    const channels = known.get(r.id.toLowerCase());
    if (!channels) return [{ path: r.path, message: `No callback ${r.id}` }];
    return channels.includes(r.channel) ? [] : [{ path: r.path, message: `Callback ${r.id} is not registered for ${r.channel}` }];
  });
}

/**
 * The refs of a settings-shaped object: each channel's `callbacks` list, blamed at `at(path)`.
 *
 * @example
 * ```ts
 * callbackRefsOf({ email: { callbacks: [id] } }, (p) => `settings.${p}`) // [{ id, channel: "email", path: "settings.email.callbacks[0]" }]
 * ```
 */
export function callbackRefsOf(channels: Partial<Record<Channel, { callbacks?: string[] } | undefined>>, at: (path: string) => string): CallbackRef[] {
  return (Object.entries(channels) as [Channel, { callbacks?: string[] } | undefined][]).flatMap(([channel, value]) =>
    (value?.callbacks ?? []).map((id, i) => ({ id, channel, path: at(`${channel}.callbacks[${i}]`) })),
  );
}
