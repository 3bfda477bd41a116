import type { Context, Hono } from "hono";
import type { MessageStatus, NotificationStatus } from "../../../db/schema";
import { toPageRequest } from "../../../lib/pagination";
import { listNotificationMessages } from "../../../services/notifications/messages";
import { getNotification, type NotificationView } from "../../../services/notifications/notifications";
import { toCsv } from "../../../services/send/merge/uploads";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { idParam, StatusTag, When } from "../activity/shared";
import { csvDownload } from "./merge-shared";

const numbers = new Intl.NumberFormat("en");
/** Statuses after which nothing more happens to a notification: the page stops refreshing. */
const FINISHED: readonly NotificationStatus[] = ["delivered", "partially-failed", "failed", "cancelled"];
const FAILED: readonly MessageStatus[] = ["permanent-failure", "temporary-failure", "technical-failure"];
/**
 * Messages a failures download lists: a merge's row bound. Each page is two D1 queries (the
 * ownership check and the page), so 250 pages stay well inside a request's query budget.
 */
const MAX_FAILURE_LINES = 50_000;
const FAILURES_PAGE = 200;
/** How often the page asks for its progress with script on. */
const POLL = "every 2s";
const POLL_SCHEDULED = "every 60s";

function finished(view: NotificationView): boolean {
  return FINISHED.includes(view.status);
}

/**
 * The progress block: a progress bar, the status and the count of each message status. While the
 * merge runs it carries htmx's polling attributes and replaces itself with a fresh copy; once
 * finished it is rendered without them, so the polling stops (htmx drops a morphed element's
 * polling once its attributes are gone).
 */
function Progress({ view }: { view: NotificationView }) {
  const done = finished(view);
  const base = `/admin/send/merges/${view.notifyId}`;
  const text = `${numbers.format(view.progress.done)} of ${numbers.format(view.progress.total)} messages done (${view.progress.percent}%)`;
  const failures = FAILED.reduce((n, s) => n + (view.counts[s] ?? 0), 0);
  // Morphed, not replaced: only the text that changed is new to the live region around it, so a
  // screen reader hears the new counts rather than the whole block every time.
  // A scheduled merge may wait days: look again each minute until it starts, then every 2 s.
  const poll = done ? {} : { "hx-get": base, "hx-trigger": view.status === "scheduled" ? POLL_SCHEDULED : POLL, "hx-swap": "outerMorph" };
  return (
    <div id="merge-progress" {...poll}>
      <p class="body" id="merge-progress-text">
        <StatusTag status={view.status} /> {text}
        {view.scheduledFor && view.status === "scheduled" ? (
          <>
            {" "}
            Scheduled for <When at={view.scheduledFor} />.
          </>
        ) : null}
      </p>
      <progress class="progress" max={Math.max(1, view.progress.total)} value={view.progress.done} aria-labelledby="merge-progress-text">
        {text}
      </progress>
      <table class="table">
        <caption class="table__caption">Messages by status</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col" class="numeric">
              Messages
            </th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(view.counts)
            .filter(([, n]) => (n ?? 0) > 0)
            .map(([status, n]) => (
              <tr>
                <td>
                  <StatusTag status={status} />
                </td>
                <td class="numeric">{numbers.format(n ?? 0)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {done ? (
        <p class="body">
          {failures > 0 ? (
            <a href={`${base}/failures.csv`} download>
              Download the {numbers.format(failures)} failed {failures === 1 ? "message" : "messages"} as CSV
            </a>
          ) : (
            "No message failed."
          )}
        </p>
      ) : (
        <p class="body">
          {/* Without script, the page is read again by following this link. */}
          <a href={base}>Refresh the progress</a>
        </p>
      )}
    </div>
  );
}

/**
 * The notice of a send the duplicate window answered with this merge: the file uploaded was the
 * same as this merge's (same template, recipients and values) within the tenant's window.
 */
function AlreadySent({ notifyId }: { notifyId: string }) {
  return (
    <div class="notification-banner" role="region" aria-labelledby="already-sent">
      <h2 class="heading-m" id="already-sent">
        This file was already sent
      </h2>
      <p class="body">
        It is the same as merge <a href={`/admin/send/merges/${notifyId}`}>{notifyId}</a>, sent within your duplicate window, so nothing new was sent and the file you uploaded has been deleted. This page shows that merge. To send the same messages again, wait until the window has passed.
      </p>
    </div>
  );
}

async function progressView(c: Context<AdminEnv>): Promise<NotificationView> {
  const ctx = await tenantContextOf(c);
  return getNotification(ctx, idParam(c.req.param("notifyId") ?? ""));
}

/**
 * /admin/send/merges/{notifyId} (read role, as the status API): a merge's live progress from
 * `getNotification` (with script the block polls itself; without, a refresh link) and, once it
 * has finished, its failed messages as CSV, paged through `listNotificationMessages`.
 * `?done=duplicate` adds the notice of an upload the duplicate window answered with this merge.
 */
export function registerMergeProgress(admin: Hono<AdminEnv>): void {
  admin.get("/send/merges/:notifyId", requireAdmin("read"), async (c) => {
    const view = await progressView(c);
    // htmx's poll asks for the block alone.
    if (c.req.header("hx-request") === "true") return c.html(<Progress view={view} />);
    return page(
      c,
      "Merge progress",
      <>
        <span class="caption">
          Merge sent <When at={view.createdAt} />
        </span>
        <h1 class="heading-l">Merge progress</h1>
        {c.req.query("done") === "duplicate" && <AlreadySent notifyId={view.notifyId} />}
        <div aria-live="polite">
          <Progress view={view} />
        </div>
        <p class="body">
          <a href={`/admin/activity/${view.notifyId}`}>See the notification and its messages in Activity</a>
        </p>
      </>,
    );
  });

  admin.get("/send/merges/:notifyId/failures.csv", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const notifyId = idParam(c.req.param("notifyId"));
    const lines: (string | number | null)[][] = [["recipient", "channel", "status", "error code", "error message", "message id", "completed at"]];
    let truncated = false;
    for (const status of FAILED) {
      let cursor: string | undefined;
      do {
        const result = await listNotificationMessages(ctx, notifyId, { status }, toPageRequest({ limit: FAILURES_PAGE, ...(cursor ? { cursor } : {}) }));
        for (const m of result.items) lines.push([m.recipient, m.channel, m.status, m.error?.code ?? null, m.error?.message ?? null, m.messageId, m.completedAt]);
        cursor = result.nextCursor ?? undefined;
        if (lines.length > MAX_FAILURE_LINES) {
          truncated = true;
          cursor = undefined;
        }
      } while (cursor);
      if (truncated) break;
    }
    if (truncated) lines.push([`More than ${MAX_FAILURE_LINES} failed messages: page the rest with GET /api/v1/notify/${notifyId}/messages?status=…`]);
    return csvDownload(c, `merge-${notifyId}-failures.csv`, toCsv(lines));
  });
}
