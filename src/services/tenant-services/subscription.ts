import { ApiError, type FieldError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import type { CountryCode } from "libphonenumber-js/max";
import { isRegion } from "../tenants/settings";
import type { PlannedDelivery } from "../send/payloads";
import { type RecipientEntry, validEmailRecipients, validPhoneRecipients } from "../send/recipients";
import { ServiceCallError, callService, serviceFailure } from "./call";
import { describeService, SERVICE_LIMITS } from "./config";
import { mapParams } from "./mapping";
import { AnswerShapeError, extractStrings, parseResponsePath } from "./response-path";
import { callable, findServiceByName } from "./tenant-services";

export type SubscriptionChannel = "email" | "sms";

export interface SubscriptionRecipient {
  /** Normalised like any recipient: an email address (domain in Unicode) or an E.164 number. */
  address: string;
  /** `to`, `cc` or `bcc` for email (as the responseMapping says); always `to` for SMS. */
  role: "to" | "cc" | "bcc";
  /** Where the send named the service, e.g. `email.recipients.subscription`. */
  path: string;
}

export interface SubscriptionLookup {
  /** The service's name, as the send gave it. */
  service: string;
  channel: SubscriptionChannel;
  /** The notification's cascaded params (top level, channel, tenant defaults). */
  params: Record<string, unknown>;
  /** Where the request (or the stored layer) names the service; errors are reported there. */
  path: string;
  /** Where the params live, for missing-param errors; defaults to `params`. */
  paramsPath?: string;
  /** The event type's code, when the notification has one. */
  eventType?: string;
}

/** National numbers in an answer are read in the tenant's defaultRegion, else the system's. */
function regionOf(ctx: ServiceContext): CountryCode {
  const region = (ctx.settings.defaultRegion ?? ctx.env.DEFAULT_REGION ?? "CA").toUpperCase();
  return (isRegion(region) ? region : "CA") as CountryCode;
}

/**
 * Asks a tenant's subscription service who should receive this notification on `channel`. We
 * POST `{channel, params, correlationId, eventType?}` (params mapped by the service's
 * requestMapping) and read the addresses at the responseMapping's path(s) in its JSON answer.
 * Addresses are validated and normalised like request recipients and de-duplicated.
 *
 * Errors: an unknown service, a channel its responseMapping does not cover or a param its
 * mapping needs is the caller's 422 at `path`; a service that fails (no answer, timeout,
 * non-2xx, over 1 MB, not JSON, wrong shape, addresses that cannot be used, refused URL) throws
 * a ServiceCallError saying which service failed and whether a retry may help.
 *
 * @example
 * ```ts
 * const found = await resolveSubscriptionRecipients(ctx, { service: "applicants", channel: "email", params, path: "email.recipients.subscription" });
 * // [{ address: "ada@example.com", role: "to", path: "email.recipients.subscription" }]
 * ```
 */
export async function resolveSubscriptionRecipients(ctx: ServiceContext, lookup: SubscriptionLookup): Promise<SubscriptionRecipient[]> {
  const { path, channel } = lookup;
  const row = await findServiceByName(ctx, "subscription", lookup.service);
  if (!row) throw new ApiError("unprocessable", { detail: `No subscription service named "${lookup.service}"`, errors: [{ path, message: `No subscription service named "${lookup.service}"` }] });
  const label = describeService("subscription", row.name);
  const opened = await callable(ctx.env.API_KEY_ENCRYPTION_KEY, row);
  if ("error" in opened) throw serviceFailure({ row }, "misconfigured", opened.error, { retryable: false });

  const mapping = opened.config.responseMapping ?? {};
  const target = channel === "email" ? mapping.email : mapping.sms;
  if (target === undefined) {
    throw new ApiError("unprocessable", { detail: `The ${label} has no responseMapping for ${channel}`, errors: [{ path, message: `The ${label} has no responseMapping.${channel}` }] });
  }
  const rolePaths: ["to" | "cc" | "bcc", string][] =
    typeof target === "string" ? [["to", target]] : (["to", "cc", "bcc"] as const).flatMap((r) => (target[r] !== undefined ? [[r, target[r]!] as ["to" | "cc" | "bcc", string]] : []));

  const params = mapParams(opened.config.requestMapping, lookup.params, { paramsPath: lookup.paramsPath ?? "params", service: label });
  const body = { ...(lookup.eventType ? { eventType: lookup.eventType } : {}), channel, params, correlationId: ctx.correlationId };

  const res = await callService(ctx.env, opened, body, { maxBytes: SERVICE_LIMITS.maxSubscriptionAnswerBytes, accept: "application/json" });
  let answer: unknown;
  try {
    answer = JSON.parse(res.text);
  } catch {
    throw serviceFailure(opened, "malformed", "the answer is not JSON", { retryable: false, httpStatus: res.status });
  }
  if (answer === null || typeof answer !== "object") throw serviceFailure(opened, "malformed", "the answer is not a JSON object or array", { retryable: false, httpStatus: res.status });

  const errors: FieldError[] = [];
  const found: SubscriptionRecipient[] = [];
  for (const [role, pathText] of rolePaths) {
    const steps = parseResponsePath(pathText);
    let values: string[];
    try {
      if (typeof steps === "string") throw new AnswerShapeError(`responseMapping ${pathText}: ${steps}`);
      values = extractStrings(answer, steps, pathText);
    } catch (err) {
      if (err instanceof AnswerShapeError) throw serviceFailure(opened, "malformed", `the answer does not match its responseMapping (${err.message})`, { retryable: false });
      throw err;
    }
    const entries: RecipientEntry[] = values.map((value) => ({ value, path }));
    const problems: FieldError[] = [];
    const valid = channel === "email" ? validEmailRecipients(entries, problems) : validPhoneRecipients(entries, regionOf(ctx), problems);
    errors.push(...problems.map((p) => ({ path, message: `${p.message} (answered by the ${label})` })));
    found.push(...valid.map((r) => ({ address: r.address, role, path })));
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, 3).map((e) => e.message.replace(` (answered by the ${label})`, ""));
    throw serviceFailure(opened, "malformed", `the answer holds ${errors.length} recipient${errors.length === 1 ? "" : "s"} that cannot be used (${shown.join("; ")}${errors.length > 3 ? "; …" : ""})`, { retryable: false });
  }
  // The same address under two roles is sent once, in the first role it was found in (to, cc, bcc).
  const seen = new Set<string>();
  return found.filter((r) => {
    const key = r.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A subscription service that could not be asked: the channel's message-level failure. */
export interface SubscriptionFailure {
  service: string;
  path: string;
  error: ServiceCallError;
}

/**
 * The recipients a subscription service adds to a channel, as recipient entries (`{value, path}`)
 * per role, ready to join the channel's own to/cc/bcc lists before they are validated. Nothing
 * is called when `service` is undefined (the channel names no subscription service). A call that
 * fails (no answer, timeout, non-2xx, too large, malformed, refused URL) is not the caller's
 * error: it comes back as `failure`, and the send records it as a failed message of its own
 * while the channel's other recipients are sent as usual.
 *
 * @example
 * ```ts
 * const found = await subscriptionRecipientEntries(ctx, { service: r.get("recipients.subscription"), path: r.pathOf("recipients.subscription"), channel: "email", params });
 * to.push(...found.to);
 * if (found.failure) deliveries.push(failedSubscriptionDelivery(...));
 * ```
 */
export async function subscriptionRecipientEntries(
  ctx: ServiceContext,
  lookup: Omit<SubscriptionLookup, "service"> & { service: string | undefined },
): Promise<Record<"to" | "cc" | "bcc", RecipientEntry[]> & { failure?: SubscriptionFailure }> {
  const out: Record<"to" | "cc" | "bcc", RecipientEntry[]> = { to: [], cc: [], bcc: [] };
  if (lookup.service === undefined) return out;
  try {
    for (const r of await resolveSubscriptionRecipients(ctx, { ...lookup, service: lookup.service })) out[r.role].push({ value: r.address, path: r.path });
  } catch (err) {
    if (err instanceof ServiceCallError) return { ...out, failure: { service: lookup.service, path: lookup.path, error: err } };
    throw err;
  }
  return out;
}

/**
 * The delivery that records a failed subscription lookup: never handed to a provider, stored as
 * one `technical-failure` message whose recipient is `subscription:<name>`, saying which service
 * failed and whether a retry may help.
 *
 * @example
 * ```ts
 * failedSubscriptionDelivery({ channel: "sms", provider, payload, scheduledFor: null, template: null }, found.failure)
 * ```
 */
export function failedSubscriptionDelivery(base: Omit<PlannedDelivery, "recipients" | "failed">, failure: SubscriptionFailure): PlannedDelivery {
  const { error } = failure;
  return {
    ...base,
    recipients: [{ address: `subscription:${failure.service}`, role: null, path: failure.path }],
    failed: {
      code: error.retryable ? "subscription_service_unavailable" : "subscription_service_failed",
      message: error.summary,
      retryable: error.retryable,
      ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
    },
  };
}
