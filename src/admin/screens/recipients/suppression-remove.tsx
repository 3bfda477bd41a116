import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import { getSuppression, removeSuppression } from "../../../services/suppressions/suppressions";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { SUPPRESSION_CHANNEL_LABELS } from "./suppression-list";
import { idParam, Row } from "./shared";

/** Remove a suppression (manage): a confirmation page, then the POST, an audit entry and a 303 to the list. */
export function registerSuppressionRemove(admin: Hono<AdminEnv>): void {
  admin.get("/recipients/suppressions/:suppressionId/remove", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const s = await getSuppression(ctx, idParam(c.req.param("suppressionId")));
    return page(
      c,
      "Remove suppression",
      <>
        <a class="back-link" href="/admin/recipients/suppressions">
          Back to suppressions
        </a>
        <h1 class="heading-l">Are you sure you want to remove this suppression?</h1>
        <dl class="summary-list">
          <Row label="Recipient">
            <span class="code">{s.recipient}</span>
          </Row>
          <Row label="Channel">{SUPPRESSION_CHANNEL_LABELS[s.channel]}</Row>
          <Row label="Reason">{s.reason}</Row>
        </dl>
        <p class="body">{s.source === "unsubscribe" ? "This person unsubscribed. Remove it only if they asked to hear from you again." : "Sends will reach this recipient again on this channel."}</p>
        <form method="post" action={`/admin/recipients/suppressions/${s.id}/remove`}>
          <button type="submit" class="button button--warning">
            Yes, remove it
          </button>{" "}
          <a href="/admin/recipients/suppressions">No, keep it</a>
        </form>
      </>,
    );
  });

  admin.post("/recipients/suppressions/:suppressionId/remove", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const s = await getSuppression(ctx, idParam(c.req.param("suppressionId")));
    await removeSuppression(ctx, s.id);
    await audit(ctx, "suppression.delete", `suppression:${s.id}`, { channel: s.channel, recipient: s.recipient });
    return c.redirect("/admin/recipients/suppressions?done=removed", 303);
  });
}
