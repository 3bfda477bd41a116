import { CHANNELS, type Channel } from "../../db/schema";
import { ApiError, type FieldError } from "../../lib/errors/api-error";
import type { LoadedEventType } from "../event-types/event-types";
import type { EventDefinition } from "../event-types/schema";
import { type ChannelLayer, documentLayer } from "../resolve/layers";
import type { SendRequest } from "../send/plan";
import type { NotifyEventInput } from "./request-schema";

/** A channel without the switches that steer the event send rather than describe a message. */
const withoutEnabled = (channel: Record<string, unknown>) => {
  const { enabled: _enabled, unsubscribe: _unsubscribe, ...rest } = channel;
  return rest;
};

/** `unsubscribe.enabled` of the overrides, else the event type's email channel; undefined leaves the tenant default. */
function unsubscribeSetting(event: Record<string, unknown> | undefined, override: Record<string, unknown> | undefined): boolean | undefined {
  const pick = (channel: Record<string, unknown> | undefined) => (channel?.unsubscribe as { enabled?: boolean } | undefined)?.enabled;
  return pick(override) ?? pick(event);
}

/**
 * Compiles an event send into the layered request the simple-send path plans, so rendering,
 * recipients, groups, guest list, suppression, limits, storage and delivery are all shared. Per
 * channel the request-side layers are, most general first: the event type's channel (`event`),
 * the request's top-level `params` (`request`), `overrides.<channel>` (`request`) and
 * `augments.<channel>` (`augment`); the resolver puts the system and tenant layers above them.
 *
 * A channel is sent when the event type or the overrides define it, it is enabled (event type
 * `enabled`, overridable), and the overrides do not turn it off with `{}`. An event type that is
 * disabled, a request addressing a disabled or absent channel, or a request left with no channel
 * is a 422 naming the field and the layer.
 */
export function compileEventSend(loaded: LoadedEventType, body: NotifyEventInput): SendRequest {
  const code = loaded.eventType.code;
  const definition = loaded.version.channels as EventDefinition;
  const at = `eventType.${code}`;
  if (definition.enabled === false) {
    throw new ApiError("unprocessable", {
      detail: `The event type ${code} is disabled`,
      errors: [{ path: "notificationEventType", message: `Disabled by the event type (${at}.enabled)` }],
    });
  }
  const errors: FieldError[] = [];
  const channels: SendRequest["channels"] = {};
  const notSent: Partial<Record<Channel, string>> = {};
  for (const name of CHANNELS) {
    const event = definition[name] as Record<string, unknown> | undefined;
    const override = body.overrides?.[name] as Record<string, unknown> | undefined;
    const augment = body.augments?.[name] as Record<string, unknown> | undefined;
    if (override !== undefined && Object.keys(override).length === 0) {
      notSent[name] = `overrides.${name}`;
      if (augment !== undefined) errors.push({ path: `augments.${name}`, message: `The ${name} channel is not sent (overrides.${name} is {}); nothing to add to` });
      continue;
    }
    if (event === undefined && override === undefined) {
      if (augment !== undefined) errors.push({ path: `augments.${name}`, message: `The event type ${code} has no ${name} channel; add one with overrides.${name}` });
      continue;
    }
    const enabled = (override?.enabled as boolean | undefined) ?? (event?.enabled as boolean | undefined) ?? true;
    if (!enabled) {
      const changed = (override && Object.keys(withoutEnabled(override)).length > 0) || augment !== undefined;
      const disabledBy = override?.enabled === false ? `overrides.${name}.enabled` : `${at}.${name}.enabled`;
      if (changed) {
        errors.push({
          path: override ? `overrides.${name}` : `augments.${name}`,
          message: `The ${name} channel is disabled (${disabledBy}); set overrides.${name}.enabled to true to send it`,
        });
      } else {
        notSent[name] = disabledBy;
      }
      continue;
    }
    const layers: ChannelLayer[] = [];
    if (event) layers.push(documentLayer("event", withoutEnabled(event), `${at}.${name}`));
    if (body.params) layers.push(documentLayer("request", { params: body.params }, ""));
    if (override) layers.push(documentLayer("request", withoutEnabled(override), `overrides.${name}`));
    if (augment) layers.push(documentLayer("augment", augment, `augments.${name}`, "augment"));
    channels[name] = { layers, path: event ? `${at}.${name}` : `overrides.${name}`, paramsPath: "params" };
  }
  if (errors.length > 0) throw new ApiError("unprocessable", { detail: "The request cannot be applied to this event type", errors });
  if (Object.keys(channels).length === 0) {
    const why = Object.entries(notSent).map(([channel, by]) => `${channel} by ${by}`);
    throw new ApiError("unprocessable", {
      detail: `Nothing to send: ${why.length ? `every channel is off (${why.join(", ")})` : `the event type ${code} defines no channel`}`,
      errors: [{ path: "notificationEventType", message: why.length ? `No channel left to send (${why.join(", ")})` : `The event type ${code} defines no channel (${at})` }],
    });
  }
  return {
    channels,
    delayedSend: body.delayedSend,
    correlationId: body.correlationId,
    tags: body.tags,
    ...(body.allowDuplicate ? { allowDuplicate: true } : {}),
    eventType: { id: loaded.eventType.id, code, version: loaded.version.version },
    listUnsubscribe: unsubscribeSetting(definition.email as Record<string, unknown> | undefined, body.overrides?.email as Record<string, unknown> | undefined),
    ...(Object.keys(notSent).length > 0 ? { notSent } : {}),
  };
}
