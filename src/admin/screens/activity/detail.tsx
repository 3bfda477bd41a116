import type { Hono } from "hono";
import type { Channel } from "../../../db/schema";
import { permits } from "../../../middleware/auth";
import { type AttemptView, listNotificationAttempts } from "../../../services/notifications/attempts";
import { getNotification, type MessageView, type NotificationView } from "../../../services/notifications/notifications";
import { MAX_PAYLOADS, type SentPayload, sentPayloads } from "../../../services/notifications/payloads";
import { type CallbackEventView, listCallbackEvents } from "../../../services/callbacks/events";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { idParam, Notice, StatusTag, TestTag, When } from "./shared";

/** Attempts and callback events read for one page (both lists are bounded per message). */
const ATTEMPTS_READ = 200;
const CALLBACK_EVENTS_READ = 50;

const CHANNEL_LABELS: Record<Channel, string> = { email: "Email", sms: "Text message", msgApp: "Chat" };

/**
 * A notification: its summary, each message's timeline (attempts, provider, errors, the payload
 * sent with its secrets hidden), where each resolved value came from, and its status callbacks.
 * Cancel (`send`) and Replay (`manage`) lead to confirmation pages, as the API's permissions say.
 */
export function registerActivityDetail(admin: Hono<AdminEnv>): void {
  admin.get("/activity/:notifyId", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const notifyId = idParam(c.req.param("notifyId"));
    const view = await getNotification(ctx, notifyId);
    const shown = view.messages.slice(0, MAX_PAYLOADS);
    const [payloads, attempts, callbacks] = await Promise.all([
      sentPayloads(ctx, view.notifyId, shown.map((m) => m.messageId)),
      listNotificationAttempts(ctx, view.notifyId, {}, { limit: ATTEMPTS_READ }),
      listCallbackEvents(ctx, view.notifyId, { limit: CALLBACK_EVENTS_READ }),
    ]);
    const admin = c.get("admin")!;
    const cancelled = c.req.query("cancelled");
    const notice = cancelled !== undefined ? `${Number.parseInt(cancelled, 10) || 0} messages cancelled` : c.req.query("replayed") === "1" ? "Callback event queued to be sent again" : undefined;
    return page(
      c,
      `Notification ${view.notifyId}`,
      <NotificationPage
        view={view}
        shown={shown}
        payloads={payloads}
        attempts={attempts.items}
        attemptsMore={attempts.nextCursor !== null}
        callbacks={callbacks.items}
        callbacksMore={callbacks.nextCursor !== null}
        canCancel={permits(admin, "send") && cancellable(view)}
        canReplay={permits(admin, "manage")}
        notice={notice}
      />,
    );
  });
}

/** Something is left to cancel: messages not yet handed to a provider, or a merge still fanning out. */
function cancellable(view: NotificationView): boolean {
  return (view.counts.scheduled ?? 0) + (view.counts.created ?? 0) > 0 || view.status === "scheduled" || view.status === "accepted";
}

function Row({ label, children }: { label: string; children?: unknown }) {
  return (
    <div class="summary-list__row">
      <dt class="summary-list__key">{label}</dt>
      <dd class="summary-list__value">{children as never}</dd>
    </div>
  );
}

function NotificationPage(props: {
  view: NotificationView;
  shown: MessageView[];
  payloads: Map<string, SentPayload>;
  attempts: AttemptView[];
  attemptsMore: boolean;
  callbacks: CallbackEventView[];
  callbacksMore: boolean;
  canCancel: boolean;
  canReplay: boolean;
  notice: string | undefined;
}) {
  const { view } = props;
  const counts = Object.entries(view.counts).filter(([, n]) => (n ?? 0) > 0);
  const base = `/admin/activity/${view.notifyId}`;
  return (
    <>
      <Notice text={props.notice} />
      <a class="back-link" href="/admin/activity">
        Back to activity
      </a>
      <span class="caption">Notification</span>
      <h1 class="heading-l code-heading">{view.notifyId}</h1>
      <dl class="summary-list">
        <Row label="Status">
          <StatusTag status={view.status} />
          <TestTag keyType={view.keyType} source={view.source} />
        </Row>
        <Row label="Progress">
          {`${view.progress.done} of ${view.progress.total} messages finished (${view.progress.percent}%)`}
          {counts.length > 0 && <span class="hint">{counts.map(([s, n]) => `${s}: ${n}`).join(", ")}</span>}
        </Row>
        <Row label="Created">
          <When at={view.createdAt} />
        </Row>
        <Row label="Scheduled for">{view.scheduledFor ? <When at={view.scheduledFor} /> : "Sent straight away"}</Row>
        <Row label="Event type">{view.eventType ? `${view.eventType.code} (version ${view.eventType.version})` : "None (a simple send)"}</Row>
        <Row label="Channels">{view.channels.map((ch) => CHANNEL_LABELS[ch]).join(", ")}</Row>
        <Row label="Key type">{view.keyType}</Row>
        <Row label="Correlation id">{view.correlationId ?? "–"}</Row>
        <Row label="Tags">{view.tags.length > 0 ? view.tags.join(", ") : "–"}</Row>
      </dl>
      {props.canCancel && (
        <a class="button button--warning" href={`${base}/cancel`}>
          Cancel messages not yet sent
        </a>
      )}

      <h2 class="heading-m">Messages</h2>
      {view.messageCount > props.shown.length && (
        <p class="body">
          Showing {props.shown.length} of {view.messageCount} messages.
        </p>
      )}
      {props.attemptsMore && <p class="body">Only the latest {ATTEMPTS_READ} provider attempts are shown.</p>}
      {props.shown.map((m, i) => (
        <MessageTimeline index={i + 1} message={m} payload={props.payloads.get(m.messageId)} attempts={props.attempts.filter((a) => a.deliveryId === props.payloads.get(m.messageId)?.deliveryId)} />
      ))}

      <h2 class="heading-m">Where each value came from</h2>
      <Provenance view={view} />

      <h2 class="heading-m">Status callbacks</h2>
      <Callbacks events={props.callbacks} more={props.callbacksMore} canReplay={props.canReplay} base={base} />
    </>
  );
}

function MessageTimeline(props: { index: number; message: MessageView; payload: SentPayload | undefined; attempts: AttemptView[] }) {
  const m = props.message;
  // Oldest first: a timeline reads in the order things happened.
  const attempts = [...props.attempts].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.attempt - b.attempt);
  return (
    <section class="message" aria-labelledby={`message-${props.index}`}>
      <h3 class="heading-s" id={`message-${props.index}`}>
        {`${CHANNEL_LABELS[m.channel]}${m.role && m.role !== "to" ? ` (${m.role})` : ""} to ${m.recipient}`}
      </h3>
      <dl class="summary-list">
        <Row label="Status">
          <StatusTag status={m.status} />
        </Row>
        <Row label="Provider">{m.provider}</Row>
        <Row label="Provider message id">{m.providerMessageId ? <span class="code">{m.providerMessageId}</span> : "–"}</Row>
        {m.error && (
          <Row label="Error">
            <span class="code">{m.error.code}</span>: {m.error.message}
          </Row>
        )}
        <Row label="Created">
          <When at={m.createdAt} />
        </Row>
        {m.scheduledFor && (
          <Row label="Scheduled for">
            <When at={m.scheduledFor} />
          </Row>
        )}
        <Row label="Sent">
          <When at={m.sentAt} />
        </Row>
        <Row label="Finished">
          <When at={m.completedAt} />
        </Row>
      </dl>
      <table class="table">
        <caption class="table__caption table__caption--s">Provider attempts</caption>
        <thead>
          <tr>
            <th scope="col">Attempt</th>
            <th scope="col">Provider</th>
            <th scope="col">Outcome</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
            <th scope="col">HTTP status</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {attempts.length === 0 ? (
            <tr>
              <td colspan={7}>No attempts yet</td>
            </tr>
          ) : (
            attempts.map((a) => (
              <tr>
                <td>{a.attempt}</td>
                <td>{a.provider}</td>
                <td>{a.outcome}</td>
                <td>
                  <When at={a.startedAt} />
                </td>
                <td>
                  <When at={a.endedAt} />
                </td>
                <td>{a.httpStatus ?? "–"}</td>
                <td>{a.error ? `${a.error.code}: ${a.error.message}` : "–"}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {props.payload && (
        <details class="details">
          <summary>Payload sent to the provider</summary>
          {/* Text, never markup: JSX escapes it, so tenant HTML is shown, not rendered. */}
          <pre class="payload" tabindex={0}>
            {props.payload.json}
          </pre>
          {props.payload.truncated && <p class="hint">The payload is longer than shown.</p>}
          <p class="hint">File link keys and unsubscribe tokens are hidden.</p>
        </details>
      )}
    </section>
  );
}

function Provenance({ view }: { view: NotificationView }) {
  const resolution = view.resolution;
  if (!resolution) return <p class="body">This notification has no stored resolution.</p>;
  const channels = Object.entries(resolution.channels) as [Channel, Record<string, string>][];
  return (
    <>
      {resolution.eventType && <p class="body">Event type {`${resolution.eventType.code} (version ${resolution.eventType.version})`}.</p>}
      {channels.map(([channel, fields]) => (
        <table class="table">
          <caption class="table__caption table__caption--s">{CHANNEL_LABELS[channel]}: resolved values</caption>
          <thead>
            <tr>
              <th scope="col">Value</th>
              <th scope="col">Came from</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(fields).map(([path, layer]) => (
              <tr>
                <td class="code">{path}</td>
                <td>{layer}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {resolution.notSent && Object.keys(resolution.notSent).length > 0 && (
        <p class="body">
          Not sent:{" "}
          {Object.entries(resolution.notSent)
            .map(([ch, why]) => `${CHANNEL_LABELS[ch as Channel]} (turned off by ${why})`)
            .join(", ")}
        </p>
      )}
    </>
  );
}

function Callbacks(props: { events: CallbackEventView[]; more: boolean; canReplay: boolean; base: string }) {
  if (props.events.length === 0) return <p class="body">No status callbacks for this notification.</p>;
  return (
    <>
      <table class="table">
        <caption class="table__caption table__caption--s">Callback events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Reported status</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            {props.canReplay && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {props.events.map((e) => (
            <tr>
              <td>
                <StatusTag status={e.status} />
                <span class="hint code">{e.eventId}</span>
              </td>
              <td>
                {e.state}
                {e.nextAttemptAt && (
                  <span class="hint">
                    next attempt <When at={e.nextAttemptAt} />
                  </span>
                )}
              </td>
              <td>
                {e.attempts.length === 0 ? (
                  "None yet"
                ) : (
                  <ol class="attempts">
                    {e.attempts.map((a) => (
                      <li>
                        <When at={a.at} />: {a.httpStatus ?? "no answer"}
                        {a.error ? ` (${a.error})` : ""}, {a.durationMs} ms
                      </li>
                    ))}
                  </ol>
                )}
              </td>
              {props.canReplay && (
                <td>
                  <a class="button button--secondary button--small" href={`${props.base}/callbacks/${e.eventId}/replay`}>
                    Replay<span class="visually-hidden"> event {e.eventId}</span>
                  </a>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {props.more && <p class="body">Only the latest {CALLBACK_EVENTS_READ} events are shown.</p>}
    </>
  );
}
