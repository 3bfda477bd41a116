import { pageAt, pageLinks, Pagination } from "../../paging";
import type { Hono } from "hono";
import { API_KEY_TYPES, type ApiKeyType, CHANNELS, type Channel, NOTIFICATION_STATUSES, type NotificationStatus } from "../../../db/schema";
import { toPageRequest } from "../../../lib/pagination";
import { type HistoryFilter, listNotifications, type NotificationSummary } from "../../../services/notifications/notifications";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { FilterForm, FilterSelect } from "../../filters";
import { requireAdmin } from "../../middleware";
import { StatusTag, TestTag, When } from "./shared";

/** Notifications a page shows unless `?limit=` (1–100) says otherwise. */
export const PAGE_SIZE = 25;

interface Filters {
  status: string;
  channel: string;
  tag: string;
  correlationId: string;
  keyType: string;
}

const CHANNEL_LABELS: Record<Channel, string> = { email: "Email", sms: "Text message", msgApp: "Chat" };
const KEY_TYPE_LABELS: Record<ApiKeyType, string> = { live: "Live", team: "Team", test: "Test" };

/**
 * Activity: the tenant's notifications, newest first, filtered by a GET form and paged by keyset
 * cursors. Keyset pages only go forward, so each link carries the cursors of the pages before it
 * (`prev`, dot-separated, the first page being empty) for the "Previous" link.
 */
export function registerActivityList(admin: Hono<AdminEnv>): void {
  admin.get("/activity", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const q = (name: string, max: number) => (c.req.query(name) ?? "").trim().slice(0, max);
    const filters: Filters = { status: q("status", 40), channel: q("channel", 20), tag: q("tag", 64), correlationId: q("correlationId", 128), keyType: q("keyType", 10) };
    const errors: FormError[] = [];
    const filter: HistoryFilter = {};
    if (filters.status) {
      if ((NOTIFICATION_STATUSES as readonly string[]).includes(filters.status)) filter.status = filters.status as NotificationStatus;
      else errors.push({ field: "status", message: "Select a status from the list" });
    }
    if (filters.channel) {
      if ((CHANNELS as readonly string[]).includes(filters.channel)) filter.channel = filters.channel as Channel;
      else errors.push({ field: "channel", message: "Select a channel from the list" });
    }
    if (filters.keyType) {
      if ((API_KEY_TYPES as readonly string[]).includes(filters.keyType)) filter.keyType = filters.keyType as ApiKeyType;
      else errors.push({ field: "keyType", message: "Select a key type from the list" });
    }
    if (filters.tag) filter.tag = filters.tag;
    if (filters.correlationId) filter.correlationId = filters.correlationId;

    const at = pageAt(c);
    const cursor = at.cursor;
    const asked = Number.parseInt(c.req.query("limit") ?? "", 10);
    const limit = asked >= 1 && asked <= 100 ? asked : PAGE_SIZE;
    const result = await listNotifications(ctx, filter, toPageRequest({ limit, ...(cursor ? { cursor } : {}) }));

    const base = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ""));
    if (limit !== PAGE_SIZE) base.set("limit", String(limit));
    const { next, previous } = pageLinks("/admin/activity", base, { cursor, trail: at.trail }, result.nextCursor);
    const filtered = Object.values(filters).some((v) => v !== "");
    return page(c, "Activity", <ActivityList items={result.items} filters={filters} errors={errors} next={next} previous={previous} filtered={filtered} />, errors.length > 0 ? 400 : 200);
  });
}

function ActivityList(props: { items: NotificationSummary[]; filters: Filters; errors: FormError[]; next: string | null; previous: string | null; filtered: boolean }) {
  const { filters, errors } = props;
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1 class="heading-l">Activity</h1>
      <FilterForm action="/admin/activity" legend="Filter notifications" filtered={props.filtered}>
        <FilterSelect id="status" label="Status" value={filters.status} options={NOTIFICATION_STATUSES.map((s) => [s, s])} error={errorFor(errors, "status")} />
        <FilterSelect id="channel" label="Channel" value={filters.channel} options={CHANNELS.map((ch) => [ch, CHANNEL_LABELS[ch]])} error={errorFor(errors, "channel")} />
        <FilterSelect id="keyType" label="Key type" value={filters.keyType} options={API_KEY_TYPES.map((k) => [k, KEY_TYPE_LABELS[k]])} error={errorFor(errors, "keyType")} />
        <TextField id="tag" name="tag" label="Tag" value={filters.tag} autocomplete="off" />
        <TextField id="correlationId" name="correlationId" label="Correlation id" value={filters.correlationId} autocomplete="off" />
      </FilterForm>
      <table class="table">
        <caption class="table__caption">{props.filtered ? "Notifications matching the filters, newest first" : "Notifications, newest first"}</caption>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Status</th>
            <th scope="col">Channels</th>
            <th scope="col" class="numeric">
              Recipients
            </th>
            <th scope="col">Correlation id</th>
          </tr>
        </thead>
        <tbody>
          {props.items.length === 0 ? (
            <tr>
              <td colspan={5}>{props.filtered ? "No notifications match these filters" : "No notifications yet"}</td>
            </tr>
          ) : (
            props.items.map((n) => (
              <tr>
                <td>
                  <a href={`/admin/activity/${n.notifyId}`}>
                    <When at={n.createdAt} />
                    <span class="visually-hidden"> notification {n.notifyId}</span>
                  </a>
                </td>
                <td>
                  <StatusTag status={n.status} />
                  <TestTag keyType={n.keyType} source={n.source} />
                </td>
                <td>{n.channels.map((ch) => CHANNEL_LABELS[ch]).join(", ")}</td>
                <td class="numeric">{n.messageCount}</td>
                <td class="code">{n.correlationId ?? "–"}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <Pagination label="Pages of notifications" next={props.next} previous={props.previous} />
    </>
  );
}
