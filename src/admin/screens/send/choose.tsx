import type { Hono } from "hono";
import { toPageRequest } from "../../../lib/pagination";
import { listEventTypes, type EventTypeView } from "../../../services/event-types/event-types";
import { listTemplates, type TemplateView } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS } from "../templates/shared";
import { sendEventPath } from "./event";

/** The newest templates of each channel offered; older ones are reached from the Templates screen. */
const PAGE_SIZE = 100;

/** GET /admin/send: the tenant's email and SMS templates, each a link to its send form (send role). */
export function registerSendChoose(admin: Hono<AdminEnv>): void {
  admin.get("/send", requireAdmin("send"), async (c) => {
    const ctx = await tenantContextOf(c);
    const [[email, sms], events] = await Promise.all([
      Promise.all((["email", "sms"] as const).map(async (channel) => (await listTemplates(ctx, toPageRequest({ limit: PAGE_SIZE }), { channel })).items)),
      listEventTypes(ctx, toPageRequest({ limit: PAGE_SIZE })),
    ]);
    return page(
      c,
      "Send a message",
      <>
        <span class="caption">{ctx.tenant.name}</span>
        <h1 class="heading-l">Send a message</h1>
        <p class="body">
          Choose a template. <strong>Send one message</strong>: you fill in the recipient and its placeholders, see the message, then send it. <strong>Send to a list</strong>: you upload a CSV file with a row per message, fix any errors, preview rows, then send now or at a time you choose. Or choose an <strong>event type</strong>: you give its parameters, see what would be sent and to whom, then send it to its configured recipients.
        </p>
        <TemplateChoice channel="email" items={email!} />
        <TemplateChoice channel="sms" items={sms!} />
        <EventChoice items={events.items.filter((e) => e.enabled)} />
      </>,
    );
  });
}

function TemplateChoice({ channel, items }: { channel: "email" | "sms"; items: TemplateView[] }) {
  return (
    <>
      <h2 class="heading-m">{CHANNEL_LABELS[channel]} templates</h2>
      {items.length === 0 ? (
        <p class="body">
          No {CHANNEL_LABELS[channel].toLowerCase()} templates yet. <a href="/admin/templates">Templates</a>
        </p>
      ) : (
        <ul class="list">
          {items.map((t) => (
            <li>
              <a href={`/admin/send/${t.id}`}>{t.name}</a> · <a href={`/admin/send/${t.id}/merge`}>Send {t.name} to a list</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function EventChoice({ items }: { items: EventTypeView[] }) {
  return (
    <>
      <h2 class="heading-m">Event types</h2>
      {items.length === 0 ? (
        <p class="body">
          No enabled event types. <a href="/admin/event-types">Event types</a>
        </p>
      ) : (
        <ul class="list">
          {items.map((e) => (
            <li>
              <a href={sendEventPath(e.id)}>Send {e.name}</a> <span class="code">{e.code}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
