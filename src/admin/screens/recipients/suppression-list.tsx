import { pageAt, pageLinks, Pagination } from "../../paging";
import type { Hono } from "hono";
import type { SuppressionSource } from "../../../db/schema";
import { toPageRequest } from "../../../lib/pagination";
import { listSuppressions, SUPPRESSIBLE_CHANNELS, type SuppressibleChannel, type SuppressionView } from "../../../services/suppressions/suppressions";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, Tag, TextField } from "../../layout";
import { FilterForm, FilterSelect } from "../../filters";
import { requireAdmin } from "../../middleware";
import { Banner } from "../templates/shared";
import { canManage, RecipientsNav } from "./shared";

const PAGE_SIZE = 50;
export const SUPPRESSION_CHANNEL_LABELS: Record<SuppressibleChannel, string> = { email: "Email", sms: "SMS" };
const SOURCE_LABELS: Record<SuppressionSource, string> = { api: "Added by your team", unsubscribe: "Unsubscribed", provider: "Provider" };
const NOTICES: Record<string, string> = { added: "Suppression added", exists: "That recipient was already suppressed; the entry is unchanged", removed: "Suppression removed" };

/**
 * GET /admin/recipients/suppressions (read): the tenant's suppressions, newest first, filtered by
 * channel and recipient and paged by keyset cursors; each link carries the cursors before it
 * (`prev`) for "Previous", as the activity list does.
 */
export function registerSuppressionList(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/suppressions", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const channel = (c.req.query("channel") ?? "").trim().slice(0, 20);
    const recipient = (c.req.query("recipient") ?? "").trim().slice(0, 320);
    const errors: FormError[] = [];
    const filter: { channel?: SuppressibleChannel; recipient?: string } = {};
    if (channel) {
      if ((SUPPRESSIBLE_CHANNELS as readonly string[]).includes(channel)) filter.channel = channel as SuppressibleChannel;
      else errors.push({ field: "channel", message: "Select a channel from the list" });
    }
    if (recipient) filter.recipient = recipient;
    const at = pageAt(c);
    const cursor = at.cursor;
    const result = errors.length > 0 ? { items: [], nextCursor: null } : await listSuppressions(ctx, toPageRequest({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }), filter);

    const base = new URLSearchParams(Object.entries({ channel, recipient }).filter(([, v]) => v !== ""));
    const { next, previous } = pageLinks("/admin/recipients/suppressions", base, { cursor, trail: at.trail }, result.nextCursor);
    const notice = NOTICES[c.req.query("done") ?? ""];
    return page(
      c,
      "Suppressions",
      <SuppressionsPage items={result.items} channel={channel} recipient={recipient} errors={errors} next={next} previous={previous} manage={canManage(c)} notice={notice} />,
      errors.length > 0 ? 400 : 200,
    );
  });
}

function SuppressionsPage(props: { items: SuppressionView[]; channel: string; recipient: string; errors: FormError[]; next: string | null; previous: string | null; manage: boolean; notice?: string }) {
  const filtered = props.channel !== "" || props.recipient !== "";
  return (
    <>
      <ErrorSummary errors={props.errors} />
      {props.notice && <Banner>{props.notice}</Banner>}
      <h1 class="heading-l">Recipients</h1>
      <RecipientsNav current="suppressions" />
      <h2 class="heading-m">Suppressions</h2>
      <p class="body">Nothing is sent to a suppressed address or number on its channel, whatever the send.</p>
      {props.manage && (
        <p class="body">
          <a class="button" href="/admin/recipients/suppressions/new">
            Add a suppression
          </a>
        </p>
      )}
      <FilterForm action="/admin/recipients/suppressions" legend="Filter suppressions" filtered={filtered}>
        <FilterSelect id="channel" label="Channel" value={props.channel} options={SUPPRESSIBLE_CHANNELS.map((ch) => [ch, SUPPRESSION_CHANNEL_LABELS[ch]])} error={errorFor(props.errors, "channel")} />
        <TextField id="recipient" name="recipient" label="Recipient" hint="An email address or phone number" value={props.recipient} autocomplete="off" />
      </FilterForm>
      <table class="table">
        <caption class="table__caption">{filtered ? "Suppressions matching the filters, newest first" : "Suppressions, newest first"}</caption>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">Channel</th>
            <th scope="col">Reason</th>
            <th scope="col">Source</th>
            <th scope="col">Added</th>
            {props.manage && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.items.length === 0 ? (
            <tr>
              <td colspan={props.manage ? 6 : 5}>{filtered ? "No suppressions match these filters" : "No suppressions"}</td>
            </tr>
          ) : (
            props.items.map((s) => (
              <tr>
                <td class="code">{s.recipient}</td>
                <td>{SUPPRESSION_CHANNEL_LABELS[s.channel]}</td>
                <td>{s.reason}</td>
                <td>
                  <Tag tone={s.source === "api" ? "blue" : s.source === "unsubscribe" ? "yellow" : "red"}>{SOURCE_LABELS[s.source]}</Tag>
                </td>
                <td>{s.createdAt.slice(0, 16).replace("T", " ")} UTC</td>
                {props.manage && (
                  <td>
                    <a href={`/admin/recipients/suppressions/${s.id}/remove`}>
                      Remove<span class="visually-hidden"> {s.recipient}</span>
                    </a>
                  </td>
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
      <Pagination label="Pages of suppressions" next={props.next} previous={props.previous} />
    </>
  );
}
