import type { Hono } from "hono";
import { toPageRequest } from "../../../lib/pagination";
import { type GroupView, listGroups } from "../../../services/groups/groups";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { Banner } from "../templates/shared";
import { canManage, RecipientsNav } from "./shared";

const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;

/** GET /admin/recipients/groups: the tenant's groups, newest first, 50 a page (read). */
export function registerGroupList(admin: Hono<AdminEnv>): void {
  admin.get("/recipients", requireAdmin("read"), (c) => c.redirect("/admin/recipients/groups", 303));

  admin.get("/recipients/groups", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const raw = c.req.query("cursor") ?? "";
    const cursor = CURSOR.test(raw) ? raw : "";
    const result = await listGroups(ctx, toPageRequest({ limit: 50, ...(cursor ? { cursor } : {}) }));
    const manage = canManage(c);
    const deleted = c.req.query("deleted") === "1";
    return page(
      c,
      "Groups",
      <>
        {deleted && <Banner>Group deleted</Banner>}
        <h1 class="heading-l">Recipients</h1>
        <RecipientsNav current="groups" />
        <h2 class="heading-m">Groups</h2>
        <p class="body">
          A recipient list names a group as <span class="code">group:&lt;name&gt;</span>; a send reaches its members, opted-out members skipped.
        </p>
        {manage && (
          <p class="body">
            <a class="button" href="/admin/recipients/groups/new">
              Create a group
            </a>
          </p>
        )}
        <GroupTable items={result.items} />
        {(cursor || result.nextCursor) && (
          <nav class="pagination" aria-label="Pages of groups">
            <ul>
              {cursor && (
                <li>
                  <a href="/admin/recipients/groups" rel="prev">
                    First page
                  </a>
                </li>
              )}
              {result.nextCursor && (
                <li>
                  <a href={`/admin/recipients/groups?cursor=${encodeURIComponent(result.nextCursor)}`} rel="next">
                    Next page
                  </a>
                </li>
              )}
            </ul>
          </nav>
        )}
      </>,
    );
  });
}

function GroupTable({ items }: { items: GroupView[] }) {
  return (
    <table class="table">
      <caption class="table__caption">Groups, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Description</th>
          <th scope="col" class="numeric">
            Members
          </th>
          <th scope="col" class="numeric">
            By email
          </th>
          <th scope="col" class="numeric">
            By SMS
          </th>
        </tr>
      </thead>
      <tbody>
        {items.length === 0 ? (
          <tr>
            <td colspan={5}>No groups yet</td>
          </tr>
        ) : (
          items.map((g) => (
            <tr>
              <td>
                <a href={`/admin/recipients/groups/${g.id}`} class="code">
                  {g.name}
                </a>
              </td>
              <td>{g.description ?? "–"}</td>
              <td class="numeric">{g.counts.members}</td>
              <td class="numeric">{g.counts.email}</td>
              <td class="numeric">{g.counts.sms}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
