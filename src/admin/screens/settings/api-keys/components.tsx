import type { ApiKeyView } from "../../../../services/api-keys/api-keys";
import { Tag } from "../../../layout";
import { KeyTypeTag, when } from "./shared";

/**
 * A tenant's API keys as a captioned table (name, type, permissions, created, status, a Revoke
 * link while active), never a secret. Used by the tenant's Settings → API keys screen and the
 * operator's tenant page, which differ only in the caption and where Revoke leads.
 *
 * @example
 * ```tsx
 * <ApiKeysTable keys={page.items} caption="Your API keys" revokeHref={(k) => `/admin/settings/api-keys/${k.id}/revoke`} />
 * ```
 */
export function ApiKeysTable(props: { keys: ApiKeyView[]; caption: string; revokeHref: (key: ApiKeyView) => string }) {
  return (
    <table class="table">
      <caption class="table__caption">{props.caption}</caption>
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
                <a href={props.revokeHref(k)}>
                  Revoke<span class="visually-hidden"> {k.name}</span>
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The confirmation page before a key is revoked: what the key is, that applications using it
 * stop at once, a POST button to `action` and a way back. `tenantName`, when given, is shown as
 * a row (the operator acts on a tenant the page must name).
 *
 * @example
 * ```tsx
 * <ConfirmRevokeKeyPage apiKey={key} action={`${KEYS_PATH}/${key.id}/revoke`} back={KEYS_PATH} backLabel="Back to API keys" />
 * ```
 */
export function ConfirmRevokeKeyPage(props: { apiKey: ApiKeyView; action: string; back: string; backLabel: string; tenantName?: string }) {
  const { apiKey } = props;
  return (
    <>
      <a class="back-link" href={props.back}>
        {props.backLabel}
      </a>
      <h1 class="heading-l">Are you sure you want to revoke ‘{apiKey.name}’?</h1>
      <dl class="summary-list">
        {props.tenantName !== undefined && (
          <div class="summary-list__row">
            <dt class="summary-list__key">Tenant</dt>
            <dd class="summary-list__value">{props.tenantName}</dd>
          </div>
        )}
        <div class="summary-list__row">
          <dt class="summary-list__key">Type</dt>
          <dd class="summary-list__value">
            <KeyTypeTag type={apiKey.type} />
          </dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Permissions</dt>
          <dd class="summary-list__value">{apiKey.permissions.join(", ")}</dd>
        </div>
        <div class="summary-list__row">
          <dt class="summary-list__key">Created</dt>
          <dd class="summary-list__value">{when(apiKey.createdAt)}</dd>
        </div>
      </dl>
      <p class="body">Applications using this key stop working at once. This cannot be undone.</p>
      <form method="post" action={props.action}>
        <button type="submit" class="button button--warning">
          Revoke key
        </button>
      </form>
      <p class="body">
        <a href={props.back}>Cancel</a>
      </p>
    </>
  );
}
