import { z } from "@hono/zod-openapi";
import type { TenantLimits, TenantStatus } from "../../db/schema";

export const TenantLimitsSchema = z
  .object({
    requestsPerMinute: z.number().int().min(1).max(1_000_000).optional().openapi({ description: "Send requests per minute", example: 3000 }),
    dailyEmail: z.number().int().min(0).max(100_000_000).optional().openapi({ description: "Emails per UTC day", example: 250000 }),
    dailySms: z.number().int().min(0).max(100_000_000).optional().openapi({ description: "Text messages per UTC day", example: 250000 }),
    dailyMsgApp: z.number().int().min(0).max(100_000_000).optional().openapi({ description: "Chat messages per UTC day", example: 250000 }),
  })
  .strict()
  .openapi("TenantLimits");

/**
 * System defaults, the first layer of the cascade. Trial tenants get GOV.UK Notify's trial
 * allowance (50 messages a day) so a new tenant cannot be used to spam before going live.
 */
const SYSTEM_LIMITS: Record<TenantStatus, Required<TenantLimits>> = {
  trial: { requestsPerMinute: 3000, dailyEmail: 50, dailySms: 50, dailyMsgApp: 50 },
  live: { requestsPerMinute: 3000, dailyEmail: 250_000, dailySms: 250_000, dailyMsgApp: 250_000 },
};

/**
 * GOV.UK Notify's trial allowance: 50 messages a day in all, whatever the channels, on top of the
 * per-channel limits (which an operator may raise; this one ends when the tenant goes live).
 */
export const TRIAL_DAILY_MESSAGES = 50;

export function effectiveLimits(status: TenantStatus, limits: TenantLimits): Required<TenantLimits> {
  return { ...SYSTEM_LIMITS[status], ...stripUndefined(limits) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
