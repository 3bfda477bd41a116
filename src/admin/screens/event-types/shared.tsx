import type { Context } from "hono";
import type { Channel } from "../../../db/schema";
import { ApiError, type FieldError } from "../../../lib/errors/api-error";
import type { ServiceContext } from "../../../services/context";
import { getEventType, type LoadedEventType } from "../../../services/event-types/event-types";
import type { EventDefinition } from "../../../services/event-types/schema";
import { resolveSendChannel } from "../../../services/resolve/cascade";
import { documentLayer } from "../../../services/resolve/layers";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { type FormError, Tag } from "../../layout";
import { TEMPLATE_ID } from "../templates/shared";

export const EVENT_TYPES_PATH = "/admin/event-types";

/** The event type of the URL (its id; anything not UUID-shaped is the 404 page before any read). */
export async function loadEventType(c: Context<AdminEnv>): Promise<{ ctx: ServiceContext; loaded: LoadedEventType }> {
  const id = c.req.param("id") ?? "";
  if (!TEMPLATE_ID.test(id)) throw new AdminPageError(404);
  const ctx = await tenantContextOf(c);
  return { ctx, loaded: await getEventType(ctx, id) };
}

/** The fields each channel's summary always shows, so an unset one says what it inherits. */
const SHOWN: Record<Channel, string[]> = {
  email: ["content.templateId", "recipients.to", "recipients.cc", "recipients.bcc", "sender.from", "sender.replyTo", "attachments", "provider"],
  sms: ["content.templateId", "recipients.to", "sender.senderId", "provider"],
  msgApp: ["content.templateId", "target"],
};

export interface ResolvedRow {
  field: string;
  value: unknown;
  /** The layer it came from (explain()'s naming), or undefined when no layer gives it. */
  source: string | undefined;
}

/**
 * A channel's effective values as the send resolves them, with each one's layer: the resolver
 * itself (system → tenant → event) rather than a copy of its rules.
 */
export function resolvedRows(ctx: ServiceContext, code: string, definition: EventDefinition, channel: Channel): ResolvedRow[] {
  const own = definition[channel] as Record<string, unknown> | undefined;
  const resolved = resolveSendChannel(ctx, channel, own ? [documentLayer("event", own, `eventType.${code}.${channel}`)] : [], `eventType.${code}.${channel}`);
  const explained = resolved.explain();
  const fields = [...new Set([...SHOWN[channel], ...Object.keys(explained)])];
  return fields.map((field) => ({ field, value: resolved.get(field), source: explained[field] }));
}

/**
 * An inline chat target as the chat targets screen shows one: its kind and host, whether a secret
 * is set; never the secret or the URL's path (a Slack or Teams webhook's credential).
 */
function shownTarget(value: Record<string, unknown>): Record<string, unknown> {
  const url = typeof value.url === "string" && URL.canParse(value.url) ? `https://${new URL(value.url).host}/…` : "…";
  return { type: value.type, url, ...(value.secret !== undefined ? { secret: "set, never shown" } : {}) };
}

/** A resolved value as text: lists joined, objects as JSON (inline chat targets without their credentials). */
export function showValue(value: unknown): string {
  if (value === undefined) return "Not set";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(showValue).join(", ");
  if (value !== null && typeof value === "object" && "url" in value && "type" in value) return JSON.stringify(shownTarget(value as Record<string, unknown>));
  return JSON.stringify(value);
}

export function SourceTag({ source }: { source: string | undefined }) {
  if (!source) return <Tag tone="grey">none</Tag>;
  const tone = source.startsWith("event") ? "blue" : source.startsWith("tenant") ? "green" : source.startsWith("request") ? "yellow" : "grey";
  return <Tag tone={tone}>{source}</Tag>;
}

export const CHANNEL_NAMES: Record<Channel, string> = { email: "Email", sms: "SMS", msgApp: "Chat" };

/** Where an API path lands on the form: the most specific prefix wins (`email.recipients.cc[1]` → `emailCc`). */
const FIELD_OF_PATH: [RegExp, string][] = [
  [/^email\.content/, "emailTemplate"],
  [/^email\.recipients\.cc/, "emailCc"],
  [/^email\.recipients\.bcc/, "emailBcc"],
  [/^email\.recipients/, "emailTo"],
  [/^email\.sender\.replyTo/, "emailReplyTo"],
  [/^email\.sender/, "emailFrom"],
  [/^email\.attachments/, "emailAttachments"],
  [/^sms\.content/, "smsTemplate"],
  [/^sms\.recipients/, "smsTo"],
  [/^sms\.sender/, "smsSenderId"],
  [/^msgApp\.content/, "msgAppTemplate"],
  [/^msgApp\.target/, "msgAppTarget"],
];

/**
 * Field errors of the API (zod or the service) as form errors: `email.content.templateId` →
 * `emailTemplate`, `sms.recipients.to[2]` → `smsTo`, `email.recipients.cc[0]` → `emailCc`;
 * anything else lands on `fallback`, its path kept in the message.
 */
export function toFormErrors(errors: FieldError[], fallback: string, detail?: string): FormError[] {
  const fieldOf = (path = ""): string => {
    if (path === "code" || path === "name") return path;
    return FIELD_OF_PATH.find(([re]) => re.test(path))?.[1] ?? fallback;
  };
  const out = errors.map((e) => ({ field: fieldOf(e.path), message: e.path && fieldOf(e.path) === fallback && e.path !== fallback ? `${e.path}: ${e.message}` : e.message }));
  return out.length > 0 ? out : [{ field: fallback, message: detail ?? "The event type could not be saved" }];
}

/** A 4xx ApiError as form errors; anything else is the error page's. */
export function apiFormErrors(err: unknown, fallback: string): FormError[] {
  if (!(err instanceof ApiError) || err.status >= 500 || err.status === 404 || err.status === 403) throw err;
  return toFormErrors(err.errors ?? [], fallback, err.detail);
}
