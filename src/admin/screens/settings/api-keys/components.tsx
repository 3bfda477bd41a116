import type { ApiKeyPermission, ApiKeyType } from "../../../../db/schema";
import type { ApiKeyView } from "../../../../services/api-keys/api-keys";
import { Tag } from "../../../layout";
import { KeyTypeTag, when } from "./shared";
import { ActionsHeader } from "../shared";

/**
 * A tenant's API keys as a captioned table (name, type, permissions, created, last used, status, a
 * Revoke link while active), never a secret. Used by the tenant's Settings → API keys screen and the
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
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <ActionsHeader label="Action" />
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
              <LastUsed at={k.lastUsedAt} />
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
 * When a key was last used: "Never", or the instant its use was last recorded. Uses are recorded
 * at most hourly (services/auth/key-use.ts), so the key may have been used up to an hour later.
 *
 * @example
 * ```tsx
 * <LastUsed at={key.lastUsedAt} /> // "Never" | "2026-11-28 09:14 UTC"
 * ```
 */
export function LastUsed({ at }: { at: string | null }) {
  return at ? <time datetime={at}>{when(at)}</time> : <>Never</>;
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
        <div class="summary-list__row">
          <dt class="summary-list__key">Last used</dt>
          <dd class="summary-list__value">
            <LastUsed at={apiKey.lastUsedAt} />
          </dd>
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

// Copies the key when script runs; without it the field is selected text to copy by hand.
const COPY_SCRIPT = `document.getElementById("copy-key").hidden=false;document.getElementById("copy-key").addEventListener("click",function(){var k=document.getElementById("api-key");k.select();navigator.clipboard.writeText(k.value).then(function(){document.getElementById("copy-status").textContent="Key copied"})})`;

/**
 * The page that shows a new key, the only time it is ever shown (the POST's answer: never in a
 * URL, never stored in the clear). `nonce`, when given, adds the Copy key button (a script with
 * the page's CSP nonce); `tenantName` prefixes the summary for the operator.
 *
 * @example
 * ```tsx
 * <CreatedKeyPage name={key.name} type={key.type} permissions={key.permissions} secret={key.key} heading="Copy your key now" advice="Store it somewhere safe." back={KEYS_PATH} backLabel="Back to API keys" nonce={c.get("cspNonce")} />
 * ```
 */
export function CreatedKeyPage(props: {
  name: string;
  type: ApiKeyType;
  permissions: ApiKeyPermission[];
  secret: string;
  heading: string;
  advice: string;
  back: string;
  backLabel: string;
  tenantName?: string;
  nonce?: string;
}) {
  return (
    <>
      <div class="panel panel--confirmation">
        <h1 class="heading-l">API key created</h1>
        <p class="body">
          {props.tenantName !== undefined && `${props.tenantName}: `}
          {props.name} · <KeyTypeTag type={props.type} /> · {props.permissions.join(", ")}
        </p>
      </div>
      <h2 class="heading-m">{props.heading}</h2>
      <p class="body">
        <strong>This is the only time you will see it.</strong> {props.advice}
      </p>
      <div class="form-group">
        <label class="label" for="api-key">
          API key for {props.name}
        </label>
        <div id="api-key-hint" class="hint">
          Select the key and copy it (Ctrl+C, or ⌘C on a Mac).
        </div>
        <input class="input input--key code" id="api-key" type="text" readonly value={props.secret} aria-describedby="api-key-hint" autocomplete="off" spellcheck={false} />
      </div>
      {props.nonce !== undefined && (
        <>
          <button type="button" class="button button--secondary" id="copy-key" hidden>
            Copy key
          </button>
          <p class="body" id="copy-status" role="status"></p>
        </>
      )}
      <p class="body">
        <a href={props.back}>{props.backLabel}</a>
      </p>
      {props.nonce !== undefined && <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }}></script>}
    </>
  );
}
