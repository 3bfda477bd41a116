import type { Hono } from "hono";
import { permits } from "../../../middleware/auth";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { SETTINGS_PATH } from "./shared";

/** Each settings screen, with the permission its API routes need to view it. */
const SCREENS = [
  { href: `${SETTINGS_PATH}/defaults`, label: "Tenant defaults", hint: "Email sender and reply-to, SMS sender id, duplicate window, unsubscribe and suppression", need: "read" },
  { href: `${SETTINGS_PATH}/senders`, label: "Reply-to addresses and SMS senders", hint: "The addresses and senders your sends may use, and your inbound numbers", need: "read" },
  { href: `${SETTINGS_PATH}/chat-targets`, label: "Chat targets", hint: "Named Slack, Teams, Rocket.Chat and webhook targets for chat messages", need: "read" },
  { href: `${SETTINGS_PATH}/services`, label: "Subscription and attachment services", hint: "Your systems asked for recipients and for documents to attach", need: "read" },
  { href: `${SETTINGS_PATH}/callbacks`, label: "Status callbacks", hint: "URLs told when messages are delivered or fail, and their signing secrets", need: "manage" },
  { href: `${SETTINGS_PATH}/api-keys`, label: "API keys", hint: "Keys your applications use to send and read", need: "manage" },
  { href: "/admin/event-types", label: "Event types", hint: "Named notifications and their per-channel defaults, with what each inherits", need: "read" },
  { href: `${SETTINGS_PATH}/team`, label: "Team members", hint: "Who signs in to these pages, and their roles", need: "read" },
  { href: `${SETTINGS_PATH}/audit`, label: "Audit log", hint: "Who changed what, and when", need: "manage" },
] as const;

/** `GET /admin/settings` (read): links to each settings screen the user's role may open. */
export function registerSettingsOverview(admin: Hono<AdminEnv>): void {
  admin.get("/settings", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const who = { permissions: ctx.principal.permissions };
    return page(
      c,
      "Settings",
      <>
        <span class="caption">{ctx.tenant.name}</span>
        <h1 class="heading-l">Settings</h1>
        <ul class="link-list">
          {SCREENS.filter((s) => permits(who, s.need)).map((s) => (
            <li>
              <a href={s.href}>{s.label}</a>
              <p class="hint">{s.hint}</p>
            </li>
          ))}
        </ul>
      </>,
    );
  });
}
