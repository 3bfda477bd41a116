import type { Channel } from "../../db/schema";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { effectiveLimits, TRIAL_DAILY_MESSAGES } from "../tenants/limits";

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
export async function admitSend(
  ctx: Pick<ServiceContext, "env" | "principal" | "tenant">,
  counts: Partial<Record<Channel, number>>,
): Promise<{ refund: () => Promise<void> }> {
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
  const gate = env.TENANT_GATE.get(env.TENANT_GATE.idFromName(tenant.id));
  const result = await gate.admit({ bucket: `send:${principal.keyType}`, perMinute: limits.requestsPerMinute, daily });
  if (!result.allowed) {
    const detail =
      result.reason === "rate"
        ? `Exceeded rate limit for key type ${principal.keyType.toUpperCase()} of ${result.limit} requests per 60 seconds`
        : result.counter === TRIAL_COUNTER
          ? `Exceeded the trial allowance of ${result.limit} messages a day (all channels); ${result.used} already used today`
          : `Exceeded send limits (${result.counter}: ${result.limit}) for today; ${result.used} already used, so ${Math.max(0, result.limit - result.used)} more fit today and this request has ${daily[result.counter]?.count ?? 0}`;
    throw new ApiError("rate_limited", { detail, headers: { "Retry-After": String(Math.max(1, result.retryAfterSeconds)) } });
  }
  const taken = Object.fromEntries(Object.entries(daily).map(([k, v]) => [k, v.count]));
  return { refund: () => gate.refund(taken) };
}
