import type { AdmitRequest } from "../../durable-objects/tenant-gate";
import { log } from "../../lib/log";
import type { Channel } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { effectiveLimits, TRIAL_DAILY_MESSAGES } from "../tenants/limits";
import { refuseForKey } from "./idempotency-keys";
import { tenantGate } from "./tenant-gate";

const DAILY_LIMIT_KEY = { email: "dailyEmail", sms: "dailySms", msgApp: "dailyMsgApp" } as const;
/** The TenantGate daily counter for a trial tenant's messages on every channel together. */
const TRIAL_COUNTER = "trialTotal";

/**
 * Asks the tenant's TenantGate whether a send of `counts` messages may go ahead: the per-minute
 * request limit (per key type, as GOV.UK Notify does), the daily per-channel allowances and, for
 * trial tenants, the daily total across channels. Test-key messages never reach anyone, so they
 * do not use the daily allowances.
 * Answers a function that gives the daily allowance back if the send then fails to store.
 */
export type Admission =
  | { kind: "admitted"; refund: (options?: { keepWindow?: boolean }) => Promise<void>; releaseWindow: () => Promise<void>; rateLimit: Record<string, string> }
  | { kind: "duplicate"; notifyId: string; rateLimit: Record<string, string> };

export async function admitSend(
  ctx: Pick<ServiceContext, "env" | "principal" | "tenant" | "idempotencyKey">,
  counts: Partial<Record<Channel, number>>,
  window?: AdmitRequest["window"],
  options: { tokenTaken?: boolean } = {},
): Promise<Admission> {
  const { env, principal, tenant } = ctx;
  const limits = effectiveLimits(tenant.status, tenant.limits);
  const countsForDaily = principal.keyType === "test" ? {} : counts;
  const daily = Object.fromEntries(
    Object.entries(countsForDaily).map(([channel, count]) => [channel, { count: count ?? 0, limit: limits[DAILY_LIMIT_KEY[channel as Channel]] }]),
  );
  if (tenant.status === "trial" && principal.keyType !== "test") {
    const total = Object.values(counts).reduce((n: number, c) => n + (c ?? 0), 0);
    daily[TRIAL_COUNTER] = { count: total, limit: TRIAL_DAILY_MESSAGES };
  }
  const gate = tenantGate(env, tenant.id);
  // The request's Idempotency-Key is decided in the same call, unless an earlier call took it.
  const claim = ctx.idempotencyKey && !ctx.idempotencyKey.taken ? ctx.idempotencyKey : undefined;
  let result: Awaited<ReturnType<typeof gate.admit>>;
  try {
    result = await gate.admit({
      bucket: `send:${principal.keyType}`,
      perMinute: limits.requestsPerMinute,
      daily,
      ...(window ? { window } : {}),
      ...(claim ? { key: { key: claim.key, fingerprint: claim.fingerprint } } : {}),
      ...(options.tokenTaken ? { tokenTaken: true } : {}),
    });
  } catch (err) {
    // Fail closed: without the tenant's object no limit can be checked, so nothing is sent or stored.
    throw unavailable("the tenant's limiter", err);
  }
  if (claim) claim.checked = true;
  const bucketHeaders = (remaining: number, limit: number) =>
    rateLimitHeaders({ policy: bucketPolicy(principal.keyType), quota: limit, window: 60, remaining, reset: secondsUntilFull(remaining, limit) });
  if (!result.allowed && result.reason === "key") refuseForKey(result.begun, bucketHeaders(result.remaining, result.limit));
  if (claim && (result.allowed || result.reason === "duplicate")) claim.taken = true;
  if (!result.allowed && result.reason === "duplicate") return { kind: "duplicate", notifyId: result.notifyId, rateLimit: bucketHeaders(result.remaining, result.limit) };
  if (!result.allowed) {
    const detail =
      result.reason === "rate"
        ? `Exceeded rate limit for key type ${principal.keyType.toUpperCase()} of ${result.limit} requests per 60 seconds`
        : result.counter === TRIAL_COUNTER
          ? `Exceeded the trial allowance of ${result.limit} messages a day (all channels); ${result.used} already used today`
          : `Exceeded send limits (${result.counter}: ${result.limit}) for today; ${result.used} already used, so ${Math.max(0, result.limit - result.used)} more fit today and this request has ${daily[result.counter]?.count ?? 0}`;
    const retryAfter = Math.max(1, result.retryAfterSeconds);
    const state =
      result.reason === "rate"
        ? { policy: bucketPolicy(principal.keyType), quota: result.limit, window: 60, remaining: 0, reset: secondsUntilFull(0, result.limit) }
        : { policy: `daily-${result.counter}`, quota: result.limit, window: 86_400, remaining: Math.max(0, result.limit - result.used), reset: retryAfter };
    const init = { detail, headers: { "Retry-After": String(retryAfter), ...rateLimitHeaders(state) } };
    throw result.reason === "rate" ? new ApiError("rate_limited", init) : new DailyLimitExceeded(init);
  }
  const taken = Object.fromEntries(Object.entries(daily).map(([k, v]) => [k, v.count]));
  const rateLimit = bucketHeaders(result.remaining, result.limit);
  const releaseWindow = async () => {
    if (window) await gate.releaseWindow(window.hash, window.notifyId);
  };
  // `keepWindow`: the notification will still be stored under the window's id (send.ts).
  const refund = async (options: { keepWindow?: boolean } = {}) => {
    await gate.refund(taken);
    if (!options.keepWindow) await releaseWindow();
  };
  return { kind: "admitted", refund, releaseWindow, rateLimit };
}

/**
 * The 429 of a send refused by a daily allowance (or a trial tenant's daily total): such a
 * refusal takes no token from the per-minute limit, so the send path may ask again with fewer
 * messages (services/send/send.ts).
 */
export class DailyLimitExceeded extends ApiError {
  constructor(init: ConstructorParameters<typeof ApiError>[1]) {
    super("rate_limited", init);
  }
}

const bucketPolicy = (keyType: string) => `send-${keyType}`;

/** The bucket refills continuously: it is full again after (spent tokens) / (tokens per second). */
const secondsUntilFull = (remaining: number, limit: number) => Math.ceil(((limit - remaining) * 60) / limit);

/**
 * The IETF httpapi RateLimit header fields for one policy: `RateLimit-Policy` (its quota per
 * window) and `RateLimit` (what is left and the seconds until it is all back).
 *
 * @example
 * ```ts
 * rateLimitHeaders({ policy: "send-live", quota: 3000, window: 60, remaining: 2999, reset: 1 })
 * // { "RateLimit-Policy": '"send-live";q=3000;w=60', RateLimit: '"send-live";r=2999;t=1' }
 * ```
 */
export function rateLimitHeaders(state: { policy: string; quota: number; window: number; remaining: number; reset: number }): Record<string, string> {
  return {
    "RateLimit-Policy": `"${state.policy}";q=${state.quota};w=${state.window}`,
    RateLimit: `"${state.policy}";r=${state.remaining};t=${Math.max(0, state.reset)}`,
  };
}

/** Seconds a caller is asked to wait when the tenant's object cannot be reached. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * The 503 of a request whose tenant object (limits, idempotency keys) could not be reached: the
 * request fails closed, with nothing stored, and may be sent again after `Retry-After`.
 */
export function unavailable(what: string, cause: unknown): ApiError {
  log("error", "tenant object unreachable", { what, error: String(cause) });
  return new ApiError("unavailable", {
    detail: `${what[0]!.toUpperCase()}${what.slice(1)} could not be reached; nothing was sent or stored. Retry after ${UNAVAILABLE_RETRY_SECONDS} seconds`,
    headers: { "Retry-After": String(UNAVAILABLE_RETRY_SECONDS) },
  });
}
