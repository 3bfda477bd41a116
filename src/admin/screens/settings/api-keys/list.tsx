import type { Hono } from "hono";
import { toPageRequest } from "../../../../lib/pagination";
import { type ApiKeyView, listApiKeys } from "../../../../services/api-keys/api-keys";
import { tenantContextOf } from "../../../context";
import type { AdminEnv } from "../../../env";
import { page, Tag } from "../../../layout";
import { requireAdmin } from "../../../middleware";
import { KEYS_PATH, KeyTypeTag, when } from "./shared";

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
        <table class="table">
          <caption class="table__caption">Your API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Permissions</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map((k) => (
              <tr>
                <td>{k.name}</td>
                <td>
                  <KeyTypeTag type={k.type} />
                </td>
                <td>{k.permissions.join(", ")}</td>
                <td>
                  <time datetime={k.createdAt}>{when(k.createdAt)}</time>
                </td>
                <td>
                  {k.revokedAt ? (
                    <>
                      <Tag tone="red">Revoked</Tag> <time datetime={k.revokedAt}>{when(k.revokedAt)}</time>
                    </>
                  ) : (
                    <Tag tone="green">Active</Tag>
                  )}
                </td>
                <td>
                  {!k.revokedAt && (
                    <a href={`${KEYS_PATH}/${k.id}/revoke`}>
                      Revoke<span class="visually-hidden"> {k.name}</span>
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextCursor && (
        <p class="body">
          <a href={`${KEYS_PATH}?cursor=${encodeURIComponent(props.nextCursor)}`}>Older keys</a>
        </p>
      )}
    </>
  );
}
