import type { Hono } from "hono";
import { toPageRequest } from "../../../../lib/pagination";
import { type ApiKeyView, listApiKeys } from "../../../../services/api-keys/api-keys";
import { tenantContextOf } from "../../../context";
import type { AdminEnv } from "../../../env";
import { page } from "../../../layout";
import { requireAdmin } from "../../../middleware";
import { ApiKeysTable } from "./components";
import { KEYS_PATH } from "./shared";

const PAGE_SIZE = 50;

/** `GET /admin/settings/api-keys` (manage): the tenant's keys, newest first, never a secret. */
export function registerApiKeysList(admin: Hono<AdminEnv>): void {
  admin.get("/settings/api-keys", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    // A cursor we did not make is an ApiError 400, which renders the 400 page.
    const keys = await listApiKeys(ctx, ctx.tenant.id, toPageRequest({ limit: PAGE_SIZE, cursor: c.req.query("cursor")?.slice(0, 512) }));
    const notice = c.req.query("revoked") === "1" ? "API key revoked" : undefined;
    return page(c, "API keys", <ApiKeysPage keys={keys.items} nextCursor={keys.nextCursor} notice={notice} tenantName={ctx.tenant.name} />);
  });
}

function ApiKeysPage(props: { keys: ApiKeyView[]; nextCursor: string | null; notice?: string; tenantName: string }) {
  return (
    <>
      {props.notice && (
        <div class="notification-banner notification-banner--success" role="status">
          <p class="body">{props.notice}</p>
        </div>
      )}
      <span class="caption">{props.tenantName} · Settings</span>
      <h1 class="heading-l">API keys</h1>
      <p class="body">Applications use API keys to send and read notifications. A key is shown once, when it is created.</p>
      <a class="button" href={`${KEYS_PATH}/new`} role="button" draggable="false">
        Create an API key
      </a>
      {props.keys.length === 0 ? (
        <p class="body">You have no API keys yet.</p>
      ) : (
        <ApiKeysTable keys={props.keys} caption="Your API keys" revokeHref={(k) => `${KEYS_PATH}/${k.id}/revoke`} />
      )}
      {props.nextCursor && (
        <p class="body">
          <a href={`${KEYS_PATH}?cursor=${encodeURIComponent(props.nextCursor)}`}>Older keys</a>
        </p>
      )}
    </>
  );
}
