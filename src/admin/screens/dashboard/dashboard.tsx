import type { Hono } from "hono";
import type { Channel } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { type ProviderHealth, type ProvidersHealth, providersHealth } from "../../../services/circuits/health";
import { type ChannelVolume, dailyVolume, type DailyVolume } from "../../../services/notifications/daily-volume";
import { type RunningMerge, runningMerges } from "../../../services/notifications/running-merges";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page, Tag } from "../../layout";
import { requireAdmin } from "../../middleware";

const CHANNEL_LABELS: Record<Channel, string> = { email: "Email", sms: "Text message", msgApp: "Chat" };
const numbers = new Intl.NumberFormat("en-GB");
const shortDay = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });

/**
 * The tenant's dashboard (`GET /admin/dashboard`, read): the last 7 days' messages per channel
 * as a server-drawn SVG chart with the same figures in a table, each channel's failure rate
 * linking to its failed activity, running merges with their progress, and the providers' health.
 */
export function registerDashboard(admin: Hono<AdminEnv>): void {
  admin.get("/dashboard", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const [volume, merges, health] = await Promise.all([
      dailyVolume(ctx),
      runningMerges(ctx),
      // The circuits being unreachable is shown on the page, not a failed dashboard.
      providersHealth(c.env, ctx.now.getTime()).catch((err: unknown) => {
        if (err instanceof ApiError) return null;
        throw err;
      }),
    ]);
    return page(c, "Dashboard", <DashboardPage tenantName={ctx.tenant.name} volume={volume} merges={merges} health={health} />);
  });
}

function DashboardPage(props: { tenantName: string; volume: DailyVolume; merges: RunningMerge[]; health: ProvidersHealth | null }) {
  return (
    <>
      <span class="caption">{props.tenantName}</span>
      <h1 class="heading-l">Dashboard</h1>
      <h2 class="heading-m">Messages in the last 7 days</h2>
      {props.volume.channels.length === 0 ? (
        <p class="body">No messages in the last 7 days.</p>
      ) : (
        <>
          <FailureRates channels={props.volume.channels} />
          {props.volume.channels.map((v) => (
            <ChannelChart volume={v} />
          ))}
        </>
      )}
      <h2 class="heading-m">Running merges</h2>
      <RunningMerges merges={props.merges} />
      <h2 class="heading-m">Providers</h2>
      <ProvidersTable health={props.health} />
    </>
  );
}

function FailureRates({ channels }: { channels: ChannelVolume[] }) {
  return (
    <table class="table">
      <caption class="table__caption">Totals and failure rate by channel, last 7 days</caption>
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col" class="numeric">
            Sent
          </th>
          <th scope="col" class="numeric">
            Delivered
          </th>
          <th scope="col" class="numeric">
            Failed
          </th>
          <th scope="col" class="numeric">
            Failure rate
          </th>
        </tr>
      </thead>
      <tbody>
        {channels.map((v) => (
          <tr>
            <th scope="row">{CHANNEL_LABELS[v.channel]}</th>
            <td class="numeric">{numbers.format(v.totals.sent)}</td>
            <td class="numeric">{numbers.format(v.totals.delivered)}</td>
            <td class="numeric">{numbers.format(v.totals.failed)}</td>
            <td class="numeric">
              <a href={`/admin/activity?status=failed&channel=${encodeURIComponent(v.channel)}`}>
                {v.failureRate}%<span class="visually-hidden"> of {CHANNEL_LABELS[v.channel].toLowerCase()} messages failed: see them in the activity list</span>
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SERIES = [
  { key: "sent", label: "Sent" },
  { key: "delivered", label: "Delivered" },
  { key: "failed", label: "Failed" },
] as const;

// Chart geometry in viewBox units; the SVG scales to its container's width.
const W = 720;
const H = 260;
const LEFT = 40;
const TOP = 24;
const PLOT_H = 180;
const BAR_W = 22;

/**
 * One channel's 7 days as grouped bars (sent, delivered, failed a day). role="img" with a title
 * and a description saying the totals; the table below it carries every figure for anyone who
 * cannot see the chart. Colours come from the stylesheet (no inline style under the CSP), and
 * the series differ by pattern of position and legend as well as colour.
 */
function ChannelChart({ volume }: { volume: ChannelVolume }) {
  const label = CHANNEL_LABELS[volume.channel];
  const id = `chart-${volume.channel}`;
  const max = Math.max(1, ...volume.days.map((d) => Math.max(d.sent, d.delivered, d.failed)));
  const group = (W - LEFT) / volume.days.length;
  const y = (n: number) => TOP + PLOT_H - (n / max) * PLOT_H;
  return (
    <figure class="chart">
      <svg class="chart__svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} xmlns="http://www.w3.org/2000/svg">
        <title id={`${id}-title`}>{`${label}: messages sent, delivered and failed a day, last 7 days`}</title>
        <desc id={`${id}-desc`}>{`In all ${volume.totals.sent} sent, ${volume.totals.delivered} delivered and ${volume.totals.failed} failed. The table below gives each day's figures.`}</desc>
        <line class="chart__axis" x1={LEFT} y1={TOP + PLOT_H} x2={W} y2={TOP + PLOT_H} />
        <text class="chart__tick" x={LEFT - 6} y={TOP + 4} text-anchor="end">
          {numbers.format(max)}
        </text>
        <text class="chart__tick" x={LEFT - 6} y={TOP + PLOT_H} text-anchor="end">
          0
        </text>
        {volume.days.map((d, i) => {
          const x0 = LEFT + i * group + (group - BAR_W * SERIES.length) / 2;
          return (
            <g>
              {SERIES.map((s, j) => (
                <>
                  <rect class={`chart__bar chart__bar--${s.key}`} x={x0 + j * BAR_W} y={y(d[s.key])} width={BAR_W - 2} height={TOP + PLOT_H - y(d[s.key])} />
                  {d[s.key] > 0 && (
                    <text class="chart__value" x={x0 + j * BAR_W + (BAR_W - 2) / 2} y={y(d[s.key]) - 4} text-anchor="middle">
                      {numbers.format(d[s.key])}
                    </text>
                  )}
                </>
              ))}
              <text class="chart__tick" x={LEFT + i * group + group / 2} y={TOP + PLOT_H + 20} text-anchor="middle">
                {shortDay(d.day)}
              </text>
            </g>
          );
        })}
        {SERIES.map((s, j) => (
          <>
            <rect class={`chart__bar chart__bar--${s.key}`} x={LEFT + j * 120} y={H - 18} width={14} height={14} />
            <text class="chart__tick" x={LEFT + j * 120 + 20} y={H - 6}>
              {s.label}
            </text>
          </>
        ))}
      </svg>
      <table class="table">
        <caption class="table__caption">{`${label} messages a day, last 7 days`}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {SERIES.map((s) => (
              <th scope="col" class="numeric">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {volume.days.map((d) => (
            <tr>
              <th scope="row">
                <time datetime={d.day}>{shortDay(d.day)}</time>
              </th>
              {SERIES.map((s) => (
                <td class="numeric">{numbers.format(d[s.key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function RunningMerges({ merges }: { merges: RunningMerge[] }) {
  if (merges.length === 0) return <p class="body">No merges are running.</p>;
  return (
    <ul class="list">
      {merges.map((m) => {
        const id = `merge-${m.notifyId}`;
        const text = `${numbers.format(m.progress.done)} of ${numbers.format(m.progress.total)} messages done (${m.progress.percent}%)`;
        return (
          <li class="merge">
            <p class="body" id={id}>
              <a href={`/admin/activity/${m.notifyId}`}>{m.channels.map((ch) => CHANNEL_LABELS[ch]).join(" and ")} merge started {m.createdAt.slice(0, 16).replace("T", " ")} UTC</a>
              <br />
              {text}
            </p>
            <progress class="progress" max={m.progress.total} value={m.progress.done} aria-labelledby={id}>
              {text}
            </progress>
          </li>
        );
      })}
    </ul>
  );
}

const STATE_TAGS: Record<ProviderHealth["state"], { tone: "green" | "yellow" | "red"; text: string }> = {
  closed: { tone: "green", text: "Working" },
  "half-open": { tone: "yellow", text: "Recovering" },
  open: { tone: "red", text: "Failing" },
};

function ProvidersTable({ health }: { health: ProvidersHealth | null }) {
  if (!health) return <p class="body">The providers' health cannot be read right now. Messages are still being sent.</p>;
  const rows = (["email", "sms"] as const).flatMap((channel) => health.channels[channel].map((p) => ({ channel, p })));
  if (rows.length === 0) return <p class="body">No providers are configured on this deployment.</p>;
  return (
    <table class="table">
      <caption class="table__caption">Provider health, checked {health.checkedAt.slice(11, 19)} UTC</caption>
      <thead>
        <tr>
          <th scope="col">Channel</th>
          <th scope="col">Provider</th>
          <th scope="col">Status</th>
          <th scope="col" class="numeric">
            Recent failures
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ channel, p }) => (
          <tr>
            <td>{CHANNEL_LABELS[channel]}</td>
            <td>
              {p.provider}
              {p.systemOrder === 1 && " (primary)"}
            </td>
            <td>
              <Tag tone={STATE_TAGS[p.state].tone}>{STATE_TAGS[p.state].text}</Tag>
            </td>
            <td class="numeric">{numbers.format(p.failures)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
