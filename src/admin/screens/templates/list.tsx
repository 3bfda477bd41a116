import type { Hono } from "hono";
import { CHANNELS, type Channel } from "../../../db/schema";
import { toPageRequest } from "../../../lib/pagination";
import { permits } from "../../../middleware/auth";
import { listTemplates, type TemplateView } from "../../../services/templates/templates";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { CHANNEL_LABELS, ChannelTag } from "./shared";

const PAGE_SIZE = 100;

/** GET /admin/templates: the tenant's templates by channel (`?channel=` shows one), newest first. */
export function registerTemplateList(admin: Hono<AdminEnv>): void {
  admin.get("/templates", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const asked = c.req.query("channel");
    const channel = (CHANNELS as readonly string[]).includes(asked ?? "") ? (asked as Channel) : undefined;
    const cursor = c.req.query("cursor")?.slice(0, 512);
    const found = await listTemplates(ctx, toPageRequest({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }), channel ? { channel } : {});
    const canManage = permits(ctx.principal, "manage");
    const groups = (channel ? [channel] : CHANNELS).map((ch) => ({ channel: ch, items: found.items.filter((t) => t.channel === ch) }));
    return page(
      c,
      channel ? `${CHANNEL_LABELS[channel]} templates` : "Templates",
      <>
        <span class="caption">{ctx.tenant.name}</span>
        <h1 class="heading-l">Templates</h1>
        {canManage && (
          <a href="/admin/templates/new" class="button">
            Create a template
          </a>
        )}
        <nav aria-label="Filter by channel" class="filter-links">
          <ul>
            {[undefined, ...CHANNELS].map((ch) => (
              <li>
                <a href={ch ? `/admin/templates?channel=${ch}` : "/admin/templates"} aria-current={ch === channel ? "page" : undefined}>
                  {ch ? CHANNEL_LABELS[ch] : "All channels"}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {groups.map((g) => (
          <TemplateTable caption={`${CHANNEL_LABELS[g.channel]} templates`} items={g.items} />
        ))}
        {found.nextCursor && (
          <p class="body">
            <a href={`/admin/templates?${new URLSearchParams({ ...(channel ? { channel } : {}), cursor: found.nextCursor }).toString()}`}>Older templates</a>
          </p>
        )}
      </>,
    );
  });
}

function TemplateTable({ caption, items }: { caption: string; items: TemplateView[] }) {
  return (
    <table class="table">
      <caption class="table__caption">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Channel</th>
          <th scope="col" class="numeric">
            Version
          </th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {items.length === 0 ? (
          <tr>
            <td colspan={4}>No templates yet</td>
          </tr>
        ) : (
          items.map((t) => (
            <tr>
              <td>
                <a href={`/admin/templates/${t.id}`}>{t.name}</a>
              </td>
              <td>
                <ChannelTag channel={t.channel} />
              </td>
              <td class="numeric">{t.version}</td>
              <td>
                <time datetime={t.updatedAt}>{t.updatedAt.slice(0, 16).replace("T", " ")} UTC</time>
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
