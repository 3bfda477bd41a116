import { pageAt, pageLinks, Pagination } from "../../paging";
import type { Hono } from "hono";
import { type PageRequest, toPageRequest } from "../../../lib/pagination";
import { AUDIT_ACTION_PREFIX_MAX, type AuditEntryView, listAuditEntries } from "../../../services/admin-identity/audit-log";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { FilterForm } from "../../filters";
import { requireAdmin } from "../../middleware";
import { SETTINGS_PATH, when } from "./shared";

const AUDIT_PATH = `${SETTINGS_PATH}/audit`;
const PAGE_SIZE = 50;

/**
 * GET /admin/settings/audit (manage): who changed what and when, newest first, filtered by an
 * action prefix and paged by keyset cursors; each link carries the cursors before it (`prev`)
 * for "Previous", as the suppression and activity lists do. Manage only: entries name keys,
 * callback URLs and people, which read users do not otherwise see.
 */
export function registerAuditScreen(admin: Hono<AdminEnv>): void {
  admin.get("/settings/audit", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const action = (c.req.query("action") ?? "").trim().slice(0, 1000);
    const errors: FormError[] = [];
    if (action.length > AUDIT_ACTION_PREFIX_MAX) errors.push({ field: "action", message: `Enter at most ${AUDIT_ACTION_PREFIX_MAX} characters` });
    const at = pageAt(c);
    let cursor = at.cursor;
    let pageRequest: PageRequest = { limit: PAGE_SIZE };
    try {
      pageRequest = toPageRequest({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    } catch {
      // A cursor we did not issue (an edited link): start again at the first page rather than fail.
      cursor = "";
    }
    const result = errors.length > 0 ? { items: [], nextCursor: null } : await listAuditEntries(ctx, { ...pageRequest, ...(action ? { action } : {}) });

    const { next, previous } = pageLinks(AUDIT_PATH, new URLSearchParams(action ? { action } : {}), { cursor, trail: at.trail }, result.nextCursor);
    return page(
      c,
      "Audit log",
      <AuditPage tenantName={ctx.tenant.name} items={result.items} action={action} errors={errors} next={next} previous={previous} />,
      errors.length > 0 ? 400 : 200,
    );
  });
}

function AuditPage(props: { tenantName: string; items: AuditEntryView[]; action: string; errors: FormError[]; next: string | null; previous: string | null }) {
  const filtered = props.action !== "";
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <span class="caption">{props.tenantName}</span>
      <h1 class="heading-l">Audit log</h1>
      <p class="body">Every change made through this admin UI, newest first: who made it, what it changed and when.</p>
      <FilterForm action={AUDIT_PATH} legend="Filter entries" filtered={filtered} applyText="Apply filter" clearText="Clear filter">
        <TextField id="action" name="action" label="Action starts with" hint="For example template. or api_key.created" value={props.action} error={errorFor(props.errors, "action")} autocomplete="off" />
      </FilterForm>
      <table class="table">
        <caption class="table__caption">{filtered ? "Entries whose action starts with the filter, newest first" : "Entries, newest first"}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {props.items.length === 0 ? (
            <tr>
              <td colspan={5}>{filtered ? "No entries match this filter" : "No entries yet"}</td>
            </tr>
          ) : (
            props.items.map((e) => (
              <tr>
                <td>
                  <time datetime={e.at}>{when(e.at)}</time>
                </td>
                <td class="code">{e.actor}</td>
                <td class="code">{e.action}</td>
                <td class="code">{e.target}</td>
                {/* JSX escapes text: detail values (URLs, names) are shown, never interpreted. */}
                <td class="code">{e.detail ? JSON.stringify(e.detail) : ""}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <Pagination label="Pages of audit entries" next={props.next} previous={props.previous} />
    </>
  );
}
