import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import { cancelNotification, getNotification } from "../../../services/notifications/notifications";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { idParam, StatusTag } from "./shared";

/**
 * Cancel a notification: a confirmation page, then the POST (the API's DELETE, with its `send`
 * permission), an audit entry and a 303 back to the notification. Nothing left to cancel is the
 * service's 409, shown as the "This has changed" page.
 */
export function registerActivityCancel(admin: Hono<AdminEnv>): void {
  admin.get("/activity/:notifyId/cancel", requireAdmin("send"), async (c) => {
    const ctx = await tenantContextOf(c);
    const view = await getNotification(ctx, idParam(c.req.param("notifyId")));
    const waiting = (view.counts.scheduled ?? 0) + (view.counts.created ?? 0);
    return page(
      c,
      "Cancel notification",
      <>
        <a class="back-link" href={`/admin/activity/${view.notifyId}`}>
          Back to the notification
        </a>
        <h1 class="heading-l">Are you sure you want to cancel this notification?</h1>
        <dl class="summary-list">
          <div class="summary-list__row">
            <dt class="summary-list__key">Notification</dt>
            <dd class="summary-list__value code">{view.notifyId}</dd>
          </div>
          <div class="summary-list__row">
            <dt class="summary-list__key">Status</dt>
            <dd class="summary-list__value">
              <StatusTag status={view.status} />
            </dd>
          </div>
          <div class="summary-list__row">
            <dt class="summary-list__key">Messages not yet sent</dt>
            <dd class="summary-list__value">{`${waiting} of ${view.messageCount}`}</dd>
          </div>
        </dl>
        <p class="body">Messages not yet handed to a provider are cancelled. Messages already sent are not affected. This cannot be undone.</p>
        <form method="post" action={`/admin/activity/${view.notifyId}/cancel`}>
          <button type="submit" class="button button--warning">
            Yes, cancel it
          </button>{" "}
          <a href={`/admin/activity/${view.notifyId}`}>No, keep it</a>
        </form>
      </>,
    );
  });

  admin.post("/activity/:notifyId/cancel", requireAdmin("send"), async (c) => {
    const ctx = await tenantContextOf(c);
    const result = await cancelNotification(ctx, idParam(c.req.param("notifyId")));
    await audit(ctx, "notification.cancelled", `notification:${result.notifyId}`, { cancelled: result.cancelled });
    return c.redirect(`/admin/activity/${result.notifyId}?cancelled=${result.cancelled}`, 303);
  });
}
