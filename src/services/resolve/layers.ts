import type { Channel, TenantRow } from "../../db/schema";
import type { Env } from "../../env";
import type { TenantSettings } from "../tenants/settings";

/**
 * The layers of the cascade, most general first: System → Tenant → Event → Request. `augment`
 * is the request's additive part (`augments` of /notifyevent); it is applied after every
 * replacing layer and can only add.
 */
export const SOURCES = ["system", "tenant", "event", "request", "augment"] as const;
export type Source = (typeof SOURCES)[number];

/**
 * One layer's contribution to one channel, in the simple-send channel shape (`recipients`,
 * `content`, `sender`, `params`, `attachments`, `target`, …) plus `provider` and `enabled`.
 * `pathOf` maps a leaf of that shape to where the value lives for error messages: a request
 * field (`email.recipients.cc[0]`), an event type (`eventType.funding-approval.email…`), a tenant
 * default (`tenantDefaults.email.cc[0]`) or a Worker variable (`EMAIL_FROM`).
 */
export interface ChannelLayer {
  source: Source;
  /** override: objects merge key by key, leaves and arrays replace. augment: lists append, params merge. */
  mode: "override" | "augment";
  value: Record<string, unknown>;
  pathOf: (leaf: string) => string;
  /** documentLayer's prefix: such a layer is plain data and can be stored and rebuilt (a merge's fan-out). */
  prefix?: string;
  /** What within its source the layer is, when the source alone is ambiguous; provenance shows it (`tenant (default reply-to address)`). */
  label?: string;
}

/** Joins a path prefix and a relative path: ("email", "content.body") → "email.content.body". */
export function joinPath(prefix: string, path: string): string {
  return prefix ? `${prefix}.${path}` : path;
}

/**
 * A layer whose values sit at `prefix` in a JSON document the caller wrote (a request body or an
 * event type definition), so a leaf's path is the prefix plus the leaf.
 *
 * @example
 * ```ts
 * documentLayer("event", { recipients: { to: ["{{emailaddress}}"] } }, "eventType.funding-approval.email")
 *   .pathOf("recipients.to") // "eventType.funding-approval.email.recipients.to"
 * ```
 */
export function documentLayer(source: Source, value: Record<string, unknown>, prefix: string, mode: ChannelLayer["mode"] = "override"): ChannelLayer {
  return { source, mode, value, prefix, pathOf: (leaf) => joinPath(prefix, leaf) };
}

function mappedPath(map: Record<string, string>, fallbackPrefix: string) {
  return (leaf: string) => {
    for (const [from, to] of Object.entries(map)) {
      if (leaf === from || leaf.startsWith(`${from}.`) || leaf.startsWith(`${from}[`)) return to + leaf.slice(from.length);
    }
    return joinPath(fallbackPrefix, leaf);
  };
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The system layer: the Worker's configuration (providers and senders); tenants cannot change it.
 *
 * @example
 * ```ts
 * systemLayer(env, "email").value // { provider: "ses", sender: { from: "notify@example.gov" } }
 * ```
 */
export function systemLayer(env: Env, channel: Channel): ChannelLayer {
  const value: Record<string, unknown> =
    channel === "email"
      ? defined({ provider: env.EMAIL_PROVIDER, sender: env.EMAIL_FROM ? { from: env.EMAIL_FROM } : undefined })
      : channel === "sms"
        ? defined({ provider: env.SMS_PROVIDER, sender: env.SMS_FROM ? { senderId: env.SMS_FROM } : undefined })
        : {};
  return {
    source: "system",
    mode: "override",
    value,
    pathOf: mappedPath({ provider: channel === "sms" ? "SMS_PROVIDER" : "EMAIL_PROVIDER", "sender.from": "EMAIL_FROM", "sender.senderId": "SMS_FROM" }, "(system)"),
  };
}

/**
 * The tenant's default reply-to address (email) or default SMS sender (sms) as a tenant layer,
 * or null when it has none. It goes under the tenant's defaults: their `email.replyTo` /
 * `sms.senderId`, written on purpose for sends, win over the entry merely marked default, which
 * fills only a gap; it still ranks above the system's `SMS_FROM`, being the tenant's own choice.
 * The value is the copy kept on the tenant row (senders/store.ts), which authentication has
 * already read, so applying it costs the send no query.
 *
 * @example
 * ```ts
 * senderDefaultLayer({ defaultReplyTo: "help@example.gov", defaultSmsSender: null }, "email")?.value // { sender: { replyTo: "help@example.gov" } }
 * ```
 */
export function senderDefaultLayer(tenant: Pick<TenantRow, "defaultReplyTo" | "defaultSmsSender">, channel: Channel): ChannelLayer | null {
  if (channel === "email" && tenant.defaultReplyTo) {
    return { source: "tenant", mode: "override", value: { sender: { replyTo: tenant.defaultReplyTo } }, label: "default reply-to address", pathOf: () => "replyToAddresses.default" };
  }
  if (channel === "sms" && tenant.defaultSmsSender) {
    return { source: "tenant", mode: "override", value: { sender: { senderId: tenant.defaultSmsSender } }, label: "default SMS sender", pathOf: () => "smsSenders.default" };
  }
  return null;
}

/**
 * The tenant layers of a channel (GET /api/v1/tenant/defaults): the top-level `params`, then the
 * channel's own defaults, mapped from the settings' field names into the channel shape and blamed
 * where they are stored (`tenantDefaults.email.cc[0]`).
 */
export function tenantLayers(settings: TenantSettings, channel: Channel): ChannelLayer[] {
  const layers: ChannelLayer[] = [];
  if (settings.params) {
    layers.push({ source: "tenant", mode: "override", value: { params: settings.params }, pathOf: (leaf) => `tenantDefaults.${leaf}` });
  }
  const at = `tenantDefaults.${channel}`;
  if (channel === "email" && settings.email) {
    const e = settings.email;
    layers.push({
      source: "tenant",
      mode: "override",
      value: defined({
        provider: e.provider,
        sender: e.from !== undefined || e.replyTo !== undefined ? defined({ from: e.from, replyTo: e.replyTo }) : undefined,
        recipients: e.cc !== undefined || e.bcc !== undefined || e.subscription !== undefined ? defined({ cc: e.cc, bcc: e.bcc, subscription: e.subscription }) : undefined,
        content: e.templateId !== undefined ? { templateId: e.templateId } : undefined,
        params: e.params,
        callbacks: e.callbacks,
      }),
      pathOf: mappedPath(
        {
          "sender.from": `${at}.from`,
          "sender.replyTo": `${at}.replyTo`,
          "recipients.cc": `${at}.cc`,
          "recipients.bcc": `${at}.bcc`,
          "recipients.subscription": `${at}.subscription`,
          "content.templateId": `${at}.templateId`,
        },
        at,
      ),
    });
  }
  if (channel === "sms" && settings.sms) {
    const s = settings.sms;
    layers.push({
      source: "tenant",
      mode: "override",
      value: defined({
        provider: s.provider,
        sender: s.senderId !== undefined ? { senderId: s.senderId } : undefined,
        recipients: s.subscription !== undefined ? { subscription: s.subscription } : undefined,
        content: s.templateId !== undefined ? { templateId: s.templateId } : undefined,
        params: s.params,
        callbacks: s.callbacks,
      }),
      pathOf: mappedPath({ "sender.senderId": `${at}.senderId`, "recipients.subscription": `${at}.subscription`, "content.templateId": `${at}.templateId` }, at),
    });
  }
  if (channel === "msgApp" && settings.msgApp) {
    const m = settings.msgApp;
    layers.push({
      source: "tenant",
      mode: "override",
      value: defined({ content: m.templateId !== undefined ? { templateId: m.templateId } : undefined, params: m.params, callbacks: m.callbacks }),
      pathOf: mappedPath({ "content.templateId": `${at}.templateId` }, at),
    });
  }
  return layers;
}
