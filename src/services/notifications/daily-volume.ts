import { sql } from "drizzle-orm";
import type { Channel } from "../../db/schema";
import type { ServiceContext } from "../context";

const DAY_MS = 86_400_000;

/** Days the dashboard shows: today (UTC) and the six before it. */
export const VOLUME_DAYS = 7;

/** One channel's messages on one UTC day. */
export interface DayVolume {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Messages handed to the send path (every status but scheduled and cancelled). */
  sent: number;
  delivered: number;
  /** Permanent, temporary and technical failures. */
  failed: number;
}

export interface ChannelVolume {
  channel: Channel;
  /** VOLUME_DAYS entries, oldest first, days without messages as zeros. */
  days: DayVolume[];
  totals: { sent: number; delivered: number; failed: number };
  /** failed / sent as a percentage with one decimal; 0 when nothing was sent. */
  failureRate: number;
}

export interface DailyVolume {
  /** The first day counted (midnight UTC). */
  from: string;
  /** Channels with any message in the window, in CHANNELS order. */
  channels: ChannelVolume[];
}

interface Row {
  channel: Channel | null;
  day: number;
  sent: number;
  delivered: number;
  failed: number;
}

const CHANNEL_ORDER: readonly Channel[] = ["email", "sms", "msgApp"];

/**
 * The tenant's messages sent, delivered and failed per channel and UTC day over the last
 * VOLUME_DAYS days (by the notification's creation), in one aggregate query bounded by the
 * window: a one-channel notification (every merge of one channel, most sends) is counted from
 * its status-count columns without reading its messages; only notifications spanning several
 * channels, whose counts do not say which channel, are split by their messages' rows.
 *
 * @example
 * ```ts
 * const volume = await dailyVolume(ctx);
 * volume.channels[0] // { channel: "email", days: [{ day: "2026-11-21", sent: 0, … }, …], totals: { sent: 3, delivered: 2, failed: 1 }, failureRate: 33.3 }
 * ```
 */
export async function dailyVolume(ctx: Pick<ServiceContext, "db" | "now" | "tenant">): Promise<DailyVolume> {
  const from = Math.floor(ctx.now.getTime() / DAY_MS) * DAY_MS - (VOLUME_DAYS - 1) * DAY_MS;
  const rows = await ctx.db.all<Row>(sql`
    WITH n AS (
      SELECT id, channels, created_at, count_created, count_sending, count_delivered,
             count_permanent_failure, count_temporary_failure, count_technical_failure
      FROM notifications
      WHERE tenant_id = ${ctx.tenant.id} AND created_at >= ${from}
    )
    SELECT channel, day, SUM(sent) AS sent, SUM(delivered) AS delivered, SUM(failed) AS failed FROM (
      SELECT json_extract(channels, '$[0]') AS channel, (created_at - ${from}) / ${DAY_MS} AS day,
             count_created + count_sending + count_delivered + count_permanent_failure + count_temporary_failure + count_technical_failure AS sent,
             count_delivered AS delivered,
             count_permanent_failure + count_temporary_failure + count_technical_failure AS failed
      FROM n WHERE json_array_length(channels) = 1
      UNION ALL
      SELECT m.channel, (n.created_at - ${from}) / ${DAY_MS},
             m.status NOT IN ('scheduled', 'cancelled'),
             m.status = 'delivered',
             m.status IN ('permanent-failure', 'temporary-failure', 'technical-failure')
      FROM n JOIN messages m ON m.notification_id = n.id
      WHERE json_array_length(n.channels) > 1
    )
    GROUP BY channel, CAST(day AS INTEGER)
  `);
  const byChannel = new Map<Channel, ChannelVolume>();
  for (const row of rows) {
    // D1 binds numbers as REAL, so the day's division comes back fractional.
    const index = Math.floor(Number(row.day));
    if (!row.channel || !(index >= 0 && index < VOLUME_DAYS)) continue;
    let volume = byChannel.get(row.channel);
    if (!volume) {
      volume = {
        channel: row.channel,
        days: Array.from({ length: VOLUME_DAYS }, (_, i) => ({ day: new Date(from + i * DAY_MS).toISOString().slice(0, 10), sent: 0, delivered: 0, failed: 0 })),
        totals: { sent: 0, delivered: 0, failed: 0 },
        failureRate: 0,
      };
      byChannel.set(row.channel, volume);
    }
    const day = volume.days[index]!;
    day.sent += Number(row.sent);
    day.delivered += Number(row.delivered);
    day.failed += Number(row.failed);
    volume.totals.sent += Number(row.sent);
    volume.totals.delivered += Number(row.delivered);
    volume.totals.failed += Number(row.failed);
  }
  const channels = CHANNEL_ORDER.flatMap((c) => {
    const v = byChannel.get(c);
    if (!v || v.totals.sent + v.totals.failed === 0) return [];
    v.failureRate = v.totals.sent === 0 ? 0 : Math.round((v.totals.failed / v.totals.sent) * 1000) / 10;
    return [v];
  });
  return { from: new Date(from).toISOString(), channels };
}
