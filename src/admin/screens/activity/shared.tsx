import type { MessageStatus, NotificationStatus } from "../../../db/schema";
import { AdminPageError } from "../../errors";
import { Tag } from "../../layout";

/** Ids in URLs are bounded like every input; anything longer cannot be one of ours. */
export function idParam(value: string): string {
  if (value.length === 0 || value.length > 64 || !/^[A-Za-z0-9_-]+$/.test(value)) throw new AdminPageError(404);
  return value;
}

/** An instant as people read it (UTC, to the second), machine-readable in `datetime`. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <>–</>;
  return <time datetime={at}>{`${at.slice(0, 10)} ${at.slice(11, 19)} UTC`}</time>;
}

const TONES: Record<string, "grey" | "green" | "red" | "yellow" | "blue"> = {
  delivered: "green",
  sending: "blue",
  accepted: "blue",
  created: "blue",
  scheduled: "yellow",
  cancelled: "grey",
  "partially-failed": "red",
  failed: "red",
  "permanent-failure": "red",
  "temporary-failure": "red",
  "technical-failure": "red",
};

/** A notification's or message's status as a tag; the colour only repeats what the text says. */
export function StatusTag({ status }: { status: NotificationStatus | MessageStatus | string }) {
  return <Tag tone={TONES[status] ?? "grey"}>{status}</Tag>;
}

/**
 * Test sends are always shown, marked with this tag: those made with a test key (simulated) and
 * the admin UI's "send me a test" of an event type (source `admin-test`: a real send to the
 * person testing, tagged `test`).
 */
export function TestTag({ keyType, source }: { keyType: string; source?: string }) {
  return keyType === "test" || source === "admin-test" ? (
    <>
      {" "}
      <Tag tone="yellow">Test</Tag>
    </>
  ) : null;
}

/** A success banner after a redirect (GOV.UK's notification banner). */
export function Notice({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <div class="notification-banner notification-banner--success" role="status">
      <p class="body">{text}</p>
    </div>
  );
}
