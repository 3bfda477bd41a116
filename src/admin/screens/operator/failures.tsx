import type { Hono } from "hono";
import { CHANNELS, type Channel } from "../../../db/schema";
import { type PageRequest, toPageRequest } from "../../../lib/pagination";
import { countRecentDeadLetters, FAILURES_WINDOW_DAYS, listTechnicalFailures, type TechnicalFailureFilter, type TechnicalFailureView } from "../../../services/notifications/technical-failures";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { FilterForm, FilterSelect } from "../../filters";
import { requireAdmin } from "../../middleware";
import { pageAt, pageLinks, Pagination } from "../../paging";
import { tenantPath, when } from "./shared";

export const FAILURES_PATH = "/admin/failures";
const PAGE_SIZE = 50;
const CHANNEL_LABELS: Record<Channel, string> = { email: "Email", sms: "Text message", msgApp: "Chat" };
/** The codes an operator most often looks for, offered as hints (any code can be typed). */
const COMMON_CODES = ["dead_lettered", "fanout_failed", "merge_row_failed", "provider_unavailable", "outcome_unknown", "attachment_service_failed"];

interface Filters {
  tenant: string;
  channel: string;
  code: string;
}

/**
 * `GET /admin/failures` (operator): technical failures and dead letters across tenants, newest
 * first (messages of the last FAILURES_WINDOW_DAYS days), filtered by tenant id, channel and
 * error code, cursor paged; each row names its tenant (linked to its operator page), the
 * channel, provider, error code and message, and when it failed. Above the list, the count of
 * dead letters among the last 24 hours' messages, linked to them.
 */
export function registerFailuresScreen(admin: Hono<AdminEnv>): void {
  admin.get("/failures", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const q = (name: string, max: number) => (c.req.query(name) ?? "").trim().slice(0, max);
    const filters: Filters = { tenant: q("tenant", 100).toLowerCase(), channel: q("channel", 20), code: q("code", 100) };
    const errors: FormError[] = [];
    const filter: TechnicalFailureFilter = {};
    if (filters.tenant) {
      if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(filters.tenant)) filter.tenantId = filters.tenant;
      else errors.push({ field: "tenant", message: "Enter a tenant id, like the one under each name on the Tenants page" });
    }
    if (filters.channel) {
      if ((CHANNELS as readonly string[]).includes(filters.channel)) filter.channel = filters.channel as Channel;
      else errors.push({ field: "channel", message: "Select a channel from the list" });
    }
    if (filters.code) {
      if (/^[a-z][a-z0-9_]{0,63}$/.test(filters.code)) filter.code = filters.code;
      else errors.push({ field: "code", message: "Enter an error code in lower case, like dead_lettered" });
    }
    const at = pageAt(c);
    let cursor = at.cursor;
    let request: PageRequest = { limit: PAGE_SIZE };
    try {
      request = toPageRequest({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    } catch {
      // A cursor we did not issue (an edited link): start again at the first page rather than fail.
      cursor = "";
    }
    const [result, deadLetters] = await Promise.all([errors.length > 0 ? { items: [], nextCursor: null } : listTechnicalFailures(ctx, filter, request), countRecentDeadLetters(ctx)]);
    const base = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ""));
    const { next, previous } = pageLinks(FAILURES_PATH, base, { cursor, trail: at.trail }, result.nextCursor);
    return page(c, "Technical failures", <FailuresPage items={result.items} filters={filters} errors={errors} deadLetters={deadLetters} next={next} previous={previous} />, errors.length > 0 ? 400 : 200);
  });
}

function FailuresPage(props: { items: TechnicalFailureView[]; filters: Filters; errors: FormError[]; deadLetters: number; next: string | null; previous: string | null }) {
  const { filters } = props;
  const filtered = Object.values(filters).some((v) => v !== "");
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <h1 class="heading-l">Technical failures</h1>
      <p class="body">
        Messages of every tenant that ended as a technical failure (our side or a provider's, not the recipient's), from messages created in the last {FAILURES_WINDOW_DAYS} days, newest first. Dead letters are those the queue
        gave up on: error code <span class="code">dead_lettered</span>.
      </p>
      <p class="body">
        <strong>
          {props.deadLetters === 1 ? "1 dead letter" : `${props.deadLetters.toLocaleString("en-GB")} dead letters`} among the last 24 hours' messages.
        </strong>{" "}
        {props.deadLetters > 0 && <a href={`${FAILURES_PATH}?code=dead_lettered`}>Show dead letters</a>}
      </p>
      <FilterForm action={FAILURES_PATH} legend="Filter failures" filtered={filtered}>
        <TextField id="tenant" name="tenant" label="Tenant id" value={filters.tenant} error={errorFor(props.errors, "tenant")} autocomplete="off" />
        <FilterSelect id="channel" label="Channel" value={filters.channel} options={CHANNELS.map((ch) => [ch, CHANNEL_LABELS[ch]])} error={errorFor(props.errors, "channel")} />
        <TextField id="code" name="code" label="Error code" hint={`For example ${COMMON_CODES.join(", ")}`} value={filters.code} error={errorFor(props.errors, "code")} autocomplete="off" />
      </FilterForm>
      <table class="table">
        <caption class="table__caption">{filtered ? "Technical failures matching the filters, newest messages first" : "Technical failures, newest messages first"}</caption>
        <thead>
          <tr>
            <th scope="col">Failed</th>
            <th scope="col">Tenant</th>
            <th scope="col">Channel</th>
            <th scope="col">Provider</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {props.items.length === 0 ? (
            <tr>
              <td colspan={5}>{filtered ? "No technical failures match these filters" : "No technical failures"}</td>
            </tr>
          ) : (
            props.items.map((f) => (
              <tr>
                <td>
                  <time datetime={f.failedAt}>{when(f.failedAt)}</time>
                  <div class="hint">
                    created <time datetime={f.createdAt}>{when(f.createdAt)}</time>
                  </div>
                </td>
                <td>
                  <a href={tenantPath(f.tenantId)}>{f.tenantName ?? f.tenantId}</a>
                  <div class="hint code">notification {f.notifyId}</div>
                </td>
                <td>{CHANNEL_LABELS[f.channel] ?? f.channel}</td>
                <td>{f.provider ?? "–"}</td>
                <td>
                  <span class="code">{f.code}</span>
                  {/* JSX escapes text: a provider's words are shown, never interpreted. */}
                  <div>{f.message}</div>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <Pagination label="Pages of technical failures" next={props.next} previous={props.previous} />
    </>
  );
}
