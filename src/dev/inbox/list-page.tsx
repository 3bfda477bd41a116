import type { CapturedMessage } from "../store";
import { Layout } from "./layout";
import type { InboxReceivedText } from "./received";
import { formatTime, summaryOf } from "./summary";

export interface InboxPageProps {
  messages: CapturedMessage[];
  /** How many the page asked for: reaching it means older messages are not shown. */
  limit: number;
  /** Texts received on the tenants' inbound numbers, newest first. */
  received?: InboxReceivedText[];
}

/** GET /dev/inbox: every captured message, newest first, each linking to its detail page. */
export function InboxPage({ messages, limit, received = [] }: InboxPageProps) {
  return (
    <Layout title="Inbox" refresh>
      <div class="toolbar">
        <div>
          <h1>Dev inbox</h1>
          <span class="muted">
            What the local provider sinks received, newest first. This page reloads every few seconds. <a href="/dev/inbox.json">JSON</a>
          </span>
        </div>
        <form method="post" action="/dev/inbox/clear">
          <button type="submit">Clear</button>
        </form>
      </div>
      {messages.length === 0 ? (
        <p class="muted">Nothing yet. Send a notification with a live key and it shows up here.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>Channel</th>
              <th>From</th>
              <th>To</th>
              <th>Subject or text</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr>
                <td>
                  <time datetime={m.receivedAt}>{formatTime(m.receivedAt)}</time>
                </td>
                <td>
                  <span class={`badge ${m.channel}`}>{m.channel}</span> {m.provider}
                </td>
                <td class="clip">{m.from ?? ""}</td>
                <td class="clip">{m.to.join(", ")}</td>
                <td>
                  <a href={`/dev/inbox/${m.id}`}>{summaryOf(m)}</a>
                  {m.attachments?.length ? <span class="muted"> · {m.attachments.length} attachment(s)</span> : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {messages.length >= limit && <p class="muted">Showing the newest {limit}.</p>}
      <h2 id="received-texts">Received texts</h2>
      <p class="muted">
        Texts received on the tenants' inbound numbers (<code>/hooks/twilio/inbound</code>, <code>/hooks/vonage/inbound</code>), newest first. Simulate one with{" "}
        <code>POST /dev/sink/twilio/inbound {"{from, to, body}"}</code>. Clear leaves them: they are the tenants' data (<code>GET /api/v1/tenant/received-texts</code>).
      </p>
      {received.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>Provider</th>
              <th>From</th>
              <th>To</th>
              <th>Tenant</th>
              <th>Text</th>
            </tr>
          </thead>
          <tbody>
            {received.map((t) => (
              <tr>
                <td>
                  <time datetime={t.receivedAt}>{formatTime(t.receivedAt)}</time>
                </td>
                <td>
                  <span class="badge sms">sms</span> {t.provider}
                </td>
                <td class="clip">{t.userNumber}</td>
                <td class="clip">{t.notifyNumber}</td>
                <td class="clip">{t.tenantId}</td>
                <td>{t.content || <span class="muted">(empty)</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
