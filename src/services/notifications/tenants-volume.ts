import { sql } from "drizzle-orm";
import type { OperatorContext } from "../context";
import { VOLUME_DAYS } from "./daily-volume";

const DAY_MS = 86_400_000;

/** One tenant's messages over the last VOLUME_DAYS UTC days, all channels together. */
export interface TenantVolume {
  sent: number;
  failed: number;
  /** failed / sent as a percentage with one decimal; 0 when nothing was sent. */
  failureRate: number;
}

interface Row {
  tenant_id: string;
  sent: number;
  failed: number;
}

/**
 * The operator's Tenants list: each listed tenant's messages sent and failed over the same
 * window as the dashboard (`dailyVolume`), in one aggregate query for the whole page rather
 * than one per row. The ids travel as one JSON parameter (D1 binds at most 100 parameters, and
 * a page holds up to 100 tenants); each tenant's rows come from its (tenant_id, created_at)
 * index. Counts come from the notifications' status-count columns, which cover every channel.
 * Tenants with no messages are absent from the map.
 *
 * @example
 * ```ts
 * const volumes = await tenantsVolume(ctx, page.items.map((t) => t.id));
 * volumes.get(tenantId) // { sent: 120, failed: 3, failureRate: 2.5 }
 * ```
 */
export async function tenantsVolume(ctx: Pick<OperatorContext, "db" | "now">, tenantIds: readonly string[]): Promise<Map<string, TenantVolume>> {
  const result = new Map<string, TenantVolume>();
  if (tenantIds.length === 0) return result;
  const from = Math.floor(ctx.now.getTime() / DAY_MS) * DAY_MS - (VOLUME_DAYS - 1) * DAY_MS;
  const rows = await ctx.db.all<Row>(sql`
    SELECT tenant_id,
           SUM(count_created + count_sending + count_delivered + count_permanent_failure + count_temporary_failure + count_technical_failure) AS sent,
           SUM(count_permanent_failure + count_temporary_failure + count_technical_failure) AS failed
    FROM notifications
    WHERE tenant_id IN (SELECT value FROM json_each(${JSON.stringify(tenantIds)})) AND created_at >= ${from}
    GROUP BY tenant_id
  `);
  for (const row of rows) {
    const sent = Number(row.sent);
    const failed = Number(row.failed);
    result.set(row.tenant_id, { sent, failed, failureRate: sent === 0 ? 0 : Math.round((failed / sent) * 1000) / 10 });
  }
  return result;
}
