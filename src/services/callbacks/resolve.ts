import type { Channel } from "../../db/schema";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import type { ResolvedChannel } from "../resolve/cascade";
import type { Source } from "../resolve/layers";
import { type CallbackEntry, tenantCallbacks } from "./directory";

/** Registration ids a `callbacks` setting may list (a tenant has at most 50 registrations). */
export const MAX_CALLBACK_IDS = 50;

export interface ResolvedCallbacks {
  /** Per channel, the registrations its status changes are reported to; channels with none left out. */
  byChannel: Partial<Record<Channel, string[]>>;
  /** Per channel, the layer that decided (`system`: no layer did, so every matching active registration). */
  sources: Partial<Record<Channel, Source>>;
}

/** Layers a request writes: an id there that is not the tenant's is the caller's mistake to hear about now. */
const REQUEST_SOURCES: ReadonlySet<Source> = new Set(["request", "augment"]);

/**
 * The registrations each channel of a send reports to, through the cascade's `callbacks` setting
 * (tenant defaults → event type → request; a list of registration ids, `[]` for none). When no
 * layer sets it, every active registration of the tenant for that channel applies. Ids from
 * stored layers that no longer name a registration for the channel (deleted since) are skipped,
 * so an old default never breaks a send; an unknown id written in the request itself is a 422 at
 * its path. The tenant's registrations are read only when some channel needs them.
 *
 * @example
 * ```ts
 * const { byChannel, sources } = await resolveCallbacks(ctx, { email: resolvedEmail });
 * byChannel.email // ["0193…"]; sources.email // "system"
 * ```
 */
export async function resolveCallbacks(ctx: Pick<ServiceContext, "db" | "tenant" | "now">, channels: Partial<Record<Channel, ResolvedChannel>>): Promise<ResolvedCallbacks> {
  const present = Object.entries(channels) as [Channel, ResolvedChannel][];
  const byChannel: ResolvedCallbacks["byChannel"] = {};
  const sources: ResolvedCallbacks["sources"] = {};
  const needsList = present.some(([, r]) => (r.get<string[]>("callbacks") ?? [null]).length > 0);
  const list: CallbackEntry[] = needsList ? await tenantCallbacks(ctx.db, ctx.tenant.id, ctx.now) : [];
  const byId = new Map(list.map((c) => [c.id, c]));
  const errors: FieldError[] = [];
  for (const [channel, r] of present) {
    const explicit = r.get<string[]>("callbacks");
    const source = r.source("callbacks") ?? "system";
    sources[channel] = source;
    let ids: string[];
    if (explicit === undefined) {
      ids = list.filter((c) => c.active && c.channelTypes.includes(channel)).map((c) => c.id);
    } else {
      ids = [];
      for (const [i, value] of explicit.entries()) {
        const id = String(value).toLowerCase();
        const entry = byId.get(id);
        if (entry?.channelTypes.includes(channel)) ids.push(id);
        else if (REQUEST_SOURCES.has(source)) {
          errors.push({ path: `${r.pathOf("callbacks")}[${i}]`, message: entry ? `Callback ${id} is not registered for ${channel}` : `No callback ${id}` });
        }
      }
    }
    if (ids.length > 0) byChannel[channel] = [...new Set(ids)];
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The request names callbacks that cannot be used", errors });
  return { byChannel, sources };
}
