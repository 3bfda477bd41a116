import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import { deleteGroup, getGroup, toGroupView } from "../../../services/groups/groups";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { idParam, Row } from "./shared";

/**
 * Delete a group (manage): a confirmation page, then the POST, an audit entry and a 303 to the
 * list. Sends that still name `group:<name>` then fail as the API's would.
 */
export function registerGroupDelete(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/groups/:groupId/delete", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const group = toGroupView(await getGroup(ctx, idParam(c.req.param("groupId"))));
    return page(
      c,
      `Delete group ${group.name}`,
      <>
        <a class="back-link" href={`/admin/recipients/groups/${group.id}`}>
          Back to the group
        </a>
        <h1 class="heading-l">Are you sure you want to delete this group?</h1>
        <dl class="summary-list">
          <Row label="Group">
            <span class="code">{group.name}</span>
          </Row>
          <Row label="Members">{String(group.counts.members)}</Row>
        </dl>
        <p class="body">
          Templates, event types and sends that name <span class="code">{`group:${group.name}`}</span> will no longer reach its members. This cannot be undone.
        </p>
        <form method="post" action={`/admin/recipients/groups/${group.id}/delete`}>
          <button type="submit" class="button button--warning">
            Yes, delete it
          </button>{" "}
          <a href={`/admin/recipients/groups/${group.id}`}>No, keep it</a>
        </form>
      </>,
    );
  });

  admin.post("/recipients/groups/:groupId/delete", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const id = idParam(c.req.param("groupId"));
    const group = await getGroup(ctx, id);
    await deleteGroup(ctx, id);
    await audit(ctx, "group.delete", `group:${id}`, { name: group.name });
    return c.redirect("/admin/recipients/groups?deleted=1", 303);
  });
}
