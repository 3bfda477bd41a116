import type { Hono } from "hono";
import { toPageRequest } from "../../../lib/pagination";
import { listEventTypes, toEventTypeView } from "../../../services/event-types/event-types";
import { listTemplates } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { Banner } from "../templates/shared";
import { CHANNEL_NAMES, EVENT_TYPES_PATH, loadEventType, resolvedRows, showValue, SourceTag } from "./shared";

/** GET /admin/event-types (list) and /admin/event-types/{id} (view with inherited values), read role. */
export function registerEventTypeViews(admin: Hono<AdminEnv>): void {
  admin.get("/event-types", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const items = (await listEventTypes(ctx, toPageRequest({ limit: 100 }))).items;
    const canManage = c.get("admin")?.role === "manage";
    return page(
      c,
      "Event types",
      <>
        <span class="caption">{ctx.tenant.name}</span>
        <h1 class="heading-l">Event types</h1>
        {canManage && (
          <p class="body">
            <a href={`${EVENT_TYPES_PATH}/new`} class="button" role="button" draggable="false">
              Create an event type
            </a>
          </p>
        )}
        {items.length === 0 ? (
          <p class="body">No event types yet.</p>
        ) : (
          <table class="table">
            <caption class="visually-hidden">Event types</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Code</th>
                <th scope="col">Channels</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr>
                  <td>
                    <a href={`${EVENT_TYPES_PATH}/${e.id}`}>{e.name}</a>
                  </td>
                  <td class="code">{e.code}</td>
                  <td>{(["email", "sms", "msgApp"] as const).filter((ch) => e[ch]).map((ch) => CHANNEL_NAMES[ch]).join(", ") || "None"}</td>
                  <td>{e.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </>,
    );
  });

  admin.get("/event-types/:id", requireAdmin("read"), async (c) => {
    const { ctx, loaded } = await loadEventType(c);
    const view = toEventTypeView(loaded);
    const definition = { email: view.email, sms: view.sms, msgApp: view.msgApp };
    const role = c.get("admin")?.role;
    const templates = new Map((await listTemplates(ctx, toPageRequest({ limit: 100 }), {})).items.map((t) => [t.id, t.name]));
    const saved = c.req.query("saved");
    return page(
      c,
      view.name,
      <>
        <a href={EVENT_TYPES_PATH} class="back-link">
          Back to event types
        </a>
        {saved && <Banner>{saved === "unchanged" ? "Nothing changed" : `Saved as version ${view.version}`}</Banner>}
        <span class="caption">
          Event type <span class="code">{view.code}</span>, version {view.version}
        </span>
        <h1 class="heading-l">{view.name}</h1>
        {view.description && <p class="body">{view.description}</p>}
        {!view.enabled && <p class="body">Disabled: every send of this event type is refused.</p>}
        <p class="body">
          {role === "manage" && <a href={`${EVENT_TYPES_PATH}/${view.id}/edit`}>Edit</a>}
          {role === "manage" && " · "}
          {role !== "read" && <a href={`${EVENT_TYPES_PATH}/${view.id}/preview`}>Preview</a>}
          {role !== "read" && " · "}
          {role !== "read" && <a href={`${EVENT_TYPES_PATH}/${view.id}/test`}>Send me a test</a>}
        </p>
        <p class="body">Each value is what a send of this event type uses, and the layer it comes from: the event type itself, else the tenant defaults, else the system configuration.</p>
        {(["email", "sms", "msgApp"] as const).map((channel) => (
          <>
            <h2 class="heading-m">
              {CHANNEL_NAMES[channel]}
              {definition[channel] ? "" : " (not defined by this event type)"}
            </h2>
            <dl class="summary-list">
              {resolvedRows(ctx, view.code, definition, channel).map((r) => (
                <div class="summary-list__row">
                  <dt class="summary-list__key code">{r.field}</dt>
                  <dd class="summary-list__value">
                    {showValue(r.value)}
                    {r.field === "content.templateId" && typeof r.value === "string" && templates.has(r.value) ? ` (${templates.get(r.value)})` : ""}
                  </dd>
                  <dd class="summary-list__actions">
                    <SourceTag source={r.source} />
                  </dd>
                </div>
              ))}
            </dl>
          </>
        ))}
      </>,
    );
  });
}
