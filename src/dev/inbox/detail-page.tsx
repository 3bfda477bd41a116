import type { CapturedMessage } from "../store";
import { Layout } from "./layout";
import { formatSize, formatTime, summaryOf } from "./summary";

function Field({ label, value }: { label: string; value: string | string[] | undefined }) {
  const text = Array.isArray(value) ? value.join(", ") : value;
  if (!text) return "";
  return (
    <>
      <dt>{label}</dt>
      <dd>{text}</dd>
    </>
  );
}

function HeaderTable({ title, headers }: { title: string; headers: Record<string, string> | undefined }) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return "";
  return (
    <>
      <h2>{title}</h2>
      <table class="headers">
        <tbody>
          {entries.map(([name, value]) => (
            <tr>
              <th>{name}</th>
              <td>
                <pre>{value}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function EmailBody({ message }: { message: CapturedMessage }) {
  return (
    <>
      {message.html !== undefined && (
        <>
          <h2>HTML</h2>
          {/* sandbox="" : the email's HTML renders with no scripts, forms or same-origin access. */}
          <iframe title="HTML body" sandbox="" srcdoc={message.html}></iframe>
        </>
      )}
      {message.text !== undefined && (
        <>
          <h2>Text</h2>
          <pre>{message.text}</pre>
        </>
      )}
      {message.attachments?.length ? (
        <>
          <h2>Attachments</h2>
          <ul>
            {message.attachments.map((a) => (
              <li>
                <a href={`/dev/inbox/${message.id}/attachments/${a.index}`} download={a.filename}>
                  {a.filename}
                </a>{" "}
                <span class="muted">
                  {a.contentType}, {formatSize(a.size)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        ""
      )}
      <HeaderTable title="Headers" headers={message.headers} />
      {message.raw !== undefined && (
        <>
          <h2>Provider request</h2>
          <pre>{JSON.stringify(message.raw, null, 2)}</pre>
        </>
      )}
    </>
  );
}

function PostedBody({ message }: { message: CapturedMessage }) {
  return (
    <>
      <h2>Text</h2>
      <pre>{message.text ?? "(none)"}</pre>
      <h2>{message.channel === "sms" ? "Posted form fields" : "Posted JSON"}</h2>
      <pre>{JSON.stringify(message.raw, null, 2)}</pre>
      <HeaderTable title="Request headers" headers={message.headers} />
    </>
  );
}

/** GET /dev/inbox/:id: one message with everything the sink captured. */
export function MessagePage({ message }: { message: CapturedMessage }) {
  const summary = summaryOf(message);
  return (
    <Layout title={summary}>
      <p>
        <a href="/dev/inbox">← Inbox</a>
      </p>
      <h1>{summary}</h1>
      <dl class="meta">
        <dt>Channel</dt>
        <dd>
          <span class={`badge ${message.channel}`}>{message.channel}</span> {message.provider}
        </dd>
        <Field label="Received" value={formatTime(message.receivedAt)} />
        <Field label="Provider id" value={message.providerMessageId} />
        <Field label="From" value={message.from} />
        <Field label="To" value={message.to} />
        <Field label="Cc" value={message.cc} />
        <Field label="Bcc" value={message.bcc} />
        <Field label="Reply-To" value={message.replyTo} />
        <Field label="Subject" value={message.subject} />
        <Field label="Date" value={message.headers?.date} />
        <Field label="Message-ID" value={message.headers?.["message-id"]} />
      </dl>
      {message.channel === "email" ? <EmailBody message={message} /> : <PostedBody message={message} />}
    </Layout>
  );
}
