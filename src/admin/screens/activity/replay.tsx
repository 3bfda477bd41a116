import type { Hono } from "hono";
import { audit } from "../../../services/admin-identity";
import { replayCallbackEvent } from "../../../services/callbacks/events";
import { ownedNotificationId } from "../../../services/notifications/owned";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { idParam } from "./shared";

/**
 * Replay a status callback event: a confirmation page, then the POST (the API's replay, with its
 * `manage` permission), an audit entry and a 303 back to the notification. An event being
 * delivered right now is the service's 409.
 */
export function registerActivityReplay(admin: Hono<AdminEnv>): void {
  admin.get("/activity/:notifyId/callbacks/:eventId/replay", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const notifyId = await ownedNotificationId(ctx, idParam(c.req.param("notifyId")));
    const eventId = idParam(c.req.param("eventId"));
    return page(
      c,
      "Replay callback event",
      <>
        <a class="back-link" href={`/admin/activity/${notifyId}`}>
          Back to the notification
        </a>
        <h1 class="heading-l">Send this callback event again?</h1>
        <p class="body">
          Event <span class="code">{eventId}</span> is queued again as a new series of attempts to your callback's current URL, with the same webhook id, so a receiver that already has it can tell.
        </p>
        <form method="post" action={`/admin/activity/${notifyId}/callbacks/${eventId}/replay`}>
          <button type="submit" class="button">
            Yes, replay it
          </button>{" "}
          <a href={`/admin/activity/${notifyId}`}>No, go back</a>
        </form>
      </>,
    );
  });

  admin.post("/activity/:notifyId/callbacks/:eventId/replay", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const notifyId = idParam(c.req.param("notifyId"));
    const event = await replayCallbackEvent(ctx, notifyId, idParam(c.req.param("eventId")));
    await audit(ctx, "callback_event.replayed", `callback_event:${event.eventId}`, { notifyId: notifyId.toLowerCase() });
    return c.redirect(`/admin/activity/${notifyId.toLowerCase()}?replayed=1`, 303);
  });
}
