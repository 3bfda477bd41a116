import type { Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import type { AppEnv } from "../../lib/app-env";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import type { App } from "../../lib/router";
import { clear, getAttachment, getMessage, listMessages } from "../store";
import { MessagePage } from "./detail-page";
import { InboxPage } from "./list-page";
import { latestReceivedTexts } from "./received";

const PAGE_SIZE = 100;
/** Received texts shown under the captured messages. */
const RECEIVED_TEXTS_SHOWN = 50;
const DEFAULT_LIMIT = 50;
/** Each listed message is one R2 read; a dev inbox never needs more at once. */
const MAX_LIMIT = 200;

function limitOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw fieldError("invalid_request", "query.limit", `must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

function messageNotFound(id: string): ApiError {
  return new ApiError("not_found", { detail: `No captured message ${id} (it may have been cleared)` });
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266).
 *
 * @example
 * ```ts
 * attachmentDisposition("café.pdf") // `attachment; filename="caf_.pdf"; filename*=UTF-8''caf%C3%A9.pdf`
 * ```
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

// Pages are live views of a changing inbox: never served from a cache.
function html(c: Context<AppEnv>, page: HtmlEscapedString | Promise<HtmlEscapedString>): Response | Promise<Response> {
  c.header("cache-control", "no-store");
  return c.html(page);
}

/** Mounts the dev inbox: the list, one message, its attachments, the JSON feed and Clear. */
export function registerInbox(app: App): void {
  app.get("/dev/inbox", async (c) => {
    const [messages, received] = await Promise.all([listMessages(c.env.BUCKET, PAGE_SIZE), latestReceivedTexts(c.env.DB, RECEIVED_TEXTS_SHOWN)]);
    return html(c, <InboxPage messages={messages} limit={PAGE_SIZE} received={received} />);
  });

  app.get("/dev/inbox.json", async (c) => {
    const items = await listMessages(c.env.BUCKET, limitOf(c.req.query("limit")));
    c.header("cache-control", "no-store");
    return c.json({ items });
  });

  app.post("/dev/inbox/clear", async (c) => {
    await clear(c.env.BUCKET);
    return c.redirect("/dev/inbox", 303);
  });

  app.get("/dev/inbox/:id", async (c) => {
    const id = c.req.param("id");
    const message = await getMessage(c.env.BUCKET, id);
    if (!message) throw messageNotFound(id);
    return html(c, <MessagePage message={message} />);
  });

  app.get("/dev/inbox/:id/attachments/:index", async (c) => {
    const { id, index } = c.req.param();
    const attachment = /^\d+$/.test(index) ? await getAttachment(c.env.BUCKET, id, Number(index)) : null;
    if (!attachment) throw new ApiError("not_found", { detail: `No attachment ${index} on captured message ${id}` });
    return new Response(attachment.body, {
      headers: {
        "content-type": attachment.contentType,
        "content-disposition": attachmentDisposition(attachment.filename),
        // An HTML or SVG attachment must download, never render on the inbox's origin.
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
      },
    });
  });
}
