import type { Hono } from "hono";
import { getGroup, toGroupView } from "../../../services/groups/groups";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page, Tag } from "../../layout";
import { requireAdmin } from "../../middleware";
import { Banner } from "../templates/shared";
import { canManage, idParam, RecipientsNav, Row } from "./shared";

const SAVED: Record<string, string> = { created: "Group created", updated: "Group saved" };

/** GET /admin/recipients/groups/:groupId: a group's details and every member (read). */
export function registerGroupView(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/groups/:groupId", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const group = toGroupView(await getGroup(ctx, idParam(c.req.param("groupId"))));
    const manage = canManage(c);
    const saved = SAVED[c.req.query("saved") ?? ""];
    return page(
      c,
      `Group ${group.name}`,
      <>
        {saved && <Banner>{saved}</Banner>}
        <a class="back-link" href="/admin/recipients/groups">
          Back to groups
        </a>
        <RecipientsNav current="groups" />
        <h1 class="heading-l">
          <span class="caption">Group</span> {group.name}
        </h1>
        <dl class="summary-list">
          <Row label="Use as">
            <span class="code">{`group:${group.name}`}</span>
          </Row>
          <Row label="Description">{group.description ?? "–"}</Row>
          <Row label="Members">{`${group.counts.members} (${group.counts.email} by email, ${group.counts.sms} by SMS, ${group.counts.optedOut} opted out)`}</Row>
          <Row label="Updated">{group.updatedAt.slice(0, 16).replace("T", " ")} UTC</Row>
        </dl>
        {manage && (
          <p class="body">
            <a class="button" href={`/admin/recipients/groups/${group.id}/edit`}>
              Edit group
            </a>{" "}
            <a class="button button--warning" href={`/admin/recipients/groups/${group.id}/delete`}>
              Delete group
            </a>
          </p>
        )}
        <table class="table">
          <caption class="table__caption">Members of {group.name}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email address</th>
              <th scope="col">Phone number</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {group.members.length === 0 ? (
              <tr>
                <td colspan={4}>No members</td>
              </tr>
            ) : (
              group.members.map((m) => (
                <tr>
                  <td>{m.name ?? "–"}</td>
                  <td class="code">{m.email ?? "–"}</td>
                  <td class="code">{m.phone ?? "–"}</td>
                  <td>{m.optedOut ? <Tag tone="grey">Opted out</Tag> : <Tag tone="green">Active</Tag>}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </>,
    );
  });
}
