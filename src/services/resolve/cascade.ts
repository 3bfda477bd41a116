import type { CountryCode } from "libphonenumber-js/max";
import type { Channel } from "../../db/schema";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { isRegion } from "../tenants/settings";
import { type ChannelLayer, joinPath, senderDefaultLayer, type Source, systemLayer, tenantLayers } from "./layers";

/**
 * The one resolver of the System → Tenant → Event → Request cascade. Every layer is a partial
 * channel in the simple-send shape; the resolver flattens each into leaves and applies them in
 * order, so the effective value of every leaf is the last layer's that gives it, and each leaf
 * remembers that layer (its provenance) and the path where the value lives (for errors).
 *
 * Rules (README "Notification events and the cascade"):
 * - objects merge key by key down to the leaves; a leaf or an array replaces the inherited one;
 * - `params` merge key by key (one level: a parameter's value is a leaf);
 * - content is a template (`templateId`) or inline (`subject`/`body`/`card`): a layer whose
 *   content is of the other kind replaces the inherited content whole; the same kind merges;
 * - augment layers append to lists (recipients, reply-to, chat targets, attachments) and merge
 *   params; they never remove anything.
 */

/** Lists an augment may append to; each item keeps its own origin. */
const LIST_LEAVES = new Set(["recipients.to", "recipients.cc", "recipients.bcc", "sender.replyTo", "target", "attachments"]);
/** Objects taken whole, never merged key by key. `subscription` is the services engineer's setting. */
const WHOLE_LEAVES = new Set(["content.card", "subscription"]);
const INLINE_CONTENT = ["content.subject", "content.body", "content.card"];
/** Aliases the simple-send schemas accept, read as their canonical leaf (the alias stays in error paths). */
const ALIASES: Record<string, string> = { "content.template.templateId": "content.templateId", "content.message": "content.body" };

/** Where one value came from: the layer and the path it was written at. */
export interface Origin {
  source: Source;
  path: string;
  /** The layer's label (ChannelLayer.label), shown by explain() beside the source. */
  label?: string;
}

export interface ListItem<T = unknown> extends Origin {
  value: T;
}

type Leaf = { kind: "value"; value: unknown; origin: Origin } | { kind: "list"; items: ListItem[] };

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A layer's value as leaves: [leaf, value, path written at]. */
function flatten(layer: ChannelLayer): { leaf: string; value: unknown; path: string }[] {
  const out: { leaf: string; value: unknown; path: string }[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (value === undefined) continue;
      const written = prefix ? `${prefix}.${key}` : key;
      if (written === "params" && isPlainObject(value)) {
        for (const [name, v] of Object.entries(value)) if (v !== undefined) out.push({ leaf: `params.${name}`, value: v, path: layer.pathOf(`params.${name}`) });
        continue;
      }
      if (isPlainObject(value) && !WHOLE_LEAVES.has(written) && !LIST_LEAVES.has(written)) {
        walk(value, written);
        continue;
      }
      out.push({ leaf: ALIASES[written] ?? written, value, path: layer.pathOf(written) });
    }
  };
  walk(layer.value, "");
  return out;
}

function listItems(value: unknown, path: string, source: Source, label: string | undefined): ListItem[] {
  const named = label ? { label } : {};
  // A recipient list may be one comma-separated string: it is one item, blamed at the field itself.
  return Array.isArray(value) ? value.map((v, i) => ({ value: v, source, ...named, path: `${path}[${i}]` })) : [{ value, source, ...named, path }];
}

/** How explain() names an origin: its layer, and what within the layer when that is ambiguous. */
const named = (o: Origin): string => (o.label ? `${o.source} (${o.label})` : o.source);

type ContentKind = "template" | "inline" | null;

function kindOf(leaves: Iterable<string>): ContentKind {
  let kind: ContentKind = null;
  for (const leaf of leaves) {
    if (leaf === "content.templateId") return "template";
    if (INLINE_CONTENT.includes(leaf)) kind = "inline";
  }
  return kind;
}

/** The effective settings of one channel, with the origin of every value. */
export class ResolvedChannel {
  constructor(
    readonly channel: Channel,
    private readonly leaves: Map<string, Leaf>,
    /** Where a value no layer gives is expected: the most specific layer that defines the channel. */
    readonly basePath: string,
  ) {}

  get<T = unknown>(leaf: string): T | undefined {
    const found = this.leaves.get(leaf);
    if (!found) return undefined;
    return (found.kind === "value" ? found.value : found.items.map((i) => i.value)) as T;
  }

  /** The layer a value came from, or undefined when no layer gives it. */
  source(leaf: string): Source | undefined {
    const found = this.leaves.get(leaf);
    return found?.kind === "value" ? found.origin.source : found?.items[0]?.source;
  }

  /** Where a value lives (to blame it), or where it is expected when no layer gives it. */
  pathOf(leaf: string): string {
    const found = this.leaves.get(leaf);
    if (found?.kind === "value") return found.origin.path;
    return joinPath(this.basePath, leaf);
  }

  /** The items of a list with each one's origin: recipients keep the path they were written at. */
  entries<T = unknown>(leaf: string): ListItem<T>[] {
    const found = this.leaves.get(leaf);
    if (!found) return [];
    return (found.kind === "list" ? found.items : [{ value: found.value, ...found.origin }]) as ListItem<T>[];
  }

  /** The effective params: every layer's, key by key, the most specific winning. */
  params(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [leaf, found] of this.leaves) if (leaf.startsWith("params.") && found.kind === "value") out[leaf.slice(7)] = found.value;
    return out;
  }

  /** Every value under `prefix` as an object (`content` → `{templateId, renderer}`). */
  subtree(prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const leaf of this.leaves.keys()) {
      if (!leaf.startsWith(`${prefix}.`)) continue;
      const parts = leaf.slice(prefix.length + 1).split(".");
      let node = out;
      parts.slice(0, -1).forEach((p) => (node = (node[p] ??= {}) as Record<string, unknown>));
      node[parts.at(-1)!] = this.get(leaf);
    }
    return out;
  }

  /**
   * Provenance: each resolved value's leaf and the layer it came from. A list built by several
   * layers names them in order (`"event+augment"`); a value of a labelled layer says which part
   * of the layer it is (`"tenant (default reply-to address)"`).
   *
   * @example
   * ```ts
   * resolved.explain() // { provider: "system", "sender.from": "tenant", "recipients.cc": "event+augment", "params.amount": "request" }
   * ```
   */
  explain(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [leaf, found] of [...this.leaves].sort(([a], [b]) => a.localeCompare(b))) {
      out[leaf] = found.kind === "value" ? named(found.origin) : [...new Set(found.items.map(named))].join("+");
    }
    return out;
  }
}

/**
 * Applies `layers` (most general first) to one channel. A layer whose own content names a
 * template and gives inline text is refused (400) at that layer's path: it is ambiguous.
 *
 * @example
 * ```ts
 * const email = resolveChannel("email", [systemLayer(env, "email"), ...tenantLayers(settings, "email"), documentLayer("request", body.email, "email")], "email");
 * email.get("sender.from"); email.source("sender.from"); // "Funding <funding@example.gov>", "tenant"
 * ```
 */
export function resolveChannel(channel: Channel, layers: ChannelLayer[], basePath: string): ResolvedChannel {
  const leaves = new Map<string, Leaf>();
  const invalid: FieldError[] = [];
  for (const layer of layers) {
    const flat = flatten(layer);
    if (layer.mode === "override") {
      const own = kindOf(flat.map((f) => f.leaf));
      const ownInline = flat.filter((f) => INLINE_CONTENT.includes(f.leaf));
      if (own === "template" && ownInline.length > 0) {
        for (const f of ownInline) invalid.push({ path: f.path, message: "Give either templateId or inline content, not both" });
      }
      const inherited = kindOf(leaves.keys());
      if (own !== null && inherited !== null && own !== inherited) {
        for (const leaf of [...leaves.keys()]) if (leaf.startsWith("content.")) leaves.delete(leaf);
      }
    }
    for (const { leaf, value, path } of flat) {
      if (LIST_LEAVES.has(leaf)) {
        const items = listItems(value, path, layer.source, layer.label);
        const current = leaves.get(leaf);
        if (layer.mode === "augment" && current?.kind === "list") current.items.push(...items);
        else leaves.set(leaf, { kind: "list", items });
      } else {
        leaves.set(leaf, { kind: "value", value, origin: { source: layer.source, path, ...(layer.label ? { label: layer.label } : {}) } });
      }
    }
  }
  if (invalid.length > 0) throw new ApiError("invalid_request", { detail: "Give either templateId or inline content, not both", errors: invalid });
  return new ResolvedChannel(channel, leaves, basePath);
}

/**
 * A channel of a send with its request-side layers (event type, overrides, augments, or the
 * simple-send channel) resolved under the system and tenant layers; the tenant's default
 * reply-to address or SMS sender sits under its stored defaults (layers.ts senderDefaultLayer).
 */
export function resolveSendChannel(ctx: Pick<ServiceContext, "env" | "settings" | "tenant">, channel: Channel, requestLayers: ChannelLayer[], basePath: string): ResolvedChannel {
  const senderDefault = senderDefaultLayer(ctx.tenant, channel);
  return resolveChannel(channel, [systemLayer(ctx.env, channel), ...(senderDefault ? [senderDefault] : []), ...tenantLayers(ctx.settings, channel), ...requestLayers], basePath);
}

/**
 * The region national phone numbers are read in: the tenant's `defaultRegion`, else the system's
 * `DEFAULT_REGION`, else CA; with the layer it came from.
 *
 * @example
 * ```ts
 * resolveRegion({ settings: { defaultRegion: "GB" }, env }) // { value: "GB", source: "tenant" }
 * ```
 */
export function resolveRegion(ctx: Pick<ServiceContext, "settings" | "env">): { value: CountryCode; source: Source } {
  const tenant = ctx.settings.defaultRegion?.toUpperCase();
  if (tenant && isRegion(tenant)) return { value: tenant, source: "tenant" };
  const system = (ctx.env.DEFAULT_REGION ?? "CA").toUpperCase();
  return { value: (isRegion(system) ? system : "CA") as CountryCode, source: "system" };
}
