import type { Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { type ProviderHealth, type ProvidersHealth, providersHealth } from "../../../services/circuits/health";
import type { AdminEnv } from "../../env";
import { page, Tag } from "../../layout";
import { requireAdmin } from "../../middleware";
import { when } from "./shared";

const STATE_TAGS: Record<ProviderHealth["state"], { tone: "green" | "yellow" | "red"; text: string }> = {
  closed: { tone: "green", text: "Working" },
  "half-open": { tone: "yellow", text: "Probing" },
  open: { tone: "red", text: "Failing" },
};

const CHANNELS = [
  { key: "email", label: "Email" },
  { key: "sms", label: "Text messages" },
] as const;

/**
 * `GET /admin/providers` (operator, read-only): every configured provider's circuit per channel
 * (state as a tag, failures and successes in the window, when it opened and when it lets a probe
 * through, last success and failure) and the breaker policy. The circuit object being
 * unreachable is said on the page, not a failed page.
 */
export function registerProvidersScreen(admin: Hono<AdminEnv>): void {
  admin.get("/providers", requireAdmin("operator"), async (c) => {
    const health = await providersHealth(c.env).catch((err: unknown) => {
      if (err instanceof ApiError) return null;
      throw err;
    });
    return page(c, "Providers", <ProvidersPage health={health} />);
  });
}

function ProvidersPage({ health }: { health: ProvidersHealth | null }) {
  return (
    <>
      <h1 class="heading-l">Providers</h1>
      <p class="body">
        <a href="/admin/sessions">Sign out every operator session</a>
      </p>
      {!health ? (
        <p class="body">The provider circuits cannot be read right now. Delivery carries on as if every circuit were closed.</p>
      ) : (
        <>
          <p class="body">
            A provider's circuit opens after {health.policy.failureThreshold} failed calls within {health.policy.windowSeconds} seconds; {health.policy.cooldownSeconds} seconds later one probe call decides whether it closes again.
            Meanwhile its messages go to the next provider in the failover order.
          </p>
          {CHANNELS.map(({ key, label }) => (
            <ChannelTable label={label} providers={health.channels[key]} checkedAt={health.checkedAt} />
          ))}
        </>
      )}
    </>
  );
}

const at = (iso: string | null) => (iso ? when(iso) : "–");

function ChannelTable({ label, providers, checkedAt }: { label: string; providers: ProviderHealth[]; checkedAt: string }) {
  if (providers.length === 0)
    return (
      <>
        <h2 class="heading-m">{label}</h2>
        <p class="body">No {label.toLowerCase()} providers are configured on this deployment.</p>
      </>
    );
  return (
    <>
      <h2 class="heading-m">{label}</h2>
      <table class="table">
        <caption class="table__caption">
          {label} providers, checked {at(checkedAt)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Status</th>
            <th scope="col" class="numeric">
              Failures
            </th>
            <th scope="col" class="numeric">
              Successes
            </th>
            <th scope="col">Opened</th>
            <th scope="col">Probe from</th>
            <th scope="col">Last success</th>
            <th scope="col">Last failure</th>
          </tr>
        </thead>
        <tbody>
          {providers.map((p) => (
            <tr>
              <td>
                {p.provider}
                {p.systemOrder !== null ? ` (system #${p.systemOrder})` : " (tenants only)"}
              </td>
              <td>
                <Tag tone={STATE_TAGS[p.state].tone}>{STATE_TAGS[p.state].text}</Tag>
                {p.probeInFlight && " probe in flight"}
              </td>
              <td class="numeric">{p.failures}</td>
              <td class="numeric">{p.successes}</td>
              <td>{at(p.openedAt)}</td>
              <td>{at(p.halfOpenAt)}</td>
              <td>{at(p.lastSuccessAt)}</td>
              <td>{at(p.lastFailureAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
