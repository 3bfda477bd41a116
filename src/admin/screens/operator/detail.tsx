import type { Context, Hono } from "hono";
import { API_KEY_PERMISSIONS, API_KEY_TYPES, type TenantLimits, type TenantRow } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { dataRegion, homeOfTenantId } from "../../../lib/regions";
import { toPageRequest } from "../../../lib/pagination";
import { audit } from "../../../services/admin-identity";
import { type ApiKeyView, listApiKeys } from "../../../services/api-keys/api-keys";
import { listInboundNumbers } from "../../../services/senders/inbound-numbers";
import type { SmsSenderView } from "../../../services/senders/sms-senders";
import { effectiveLimits, TenantLimitsSchema } from "../../../services/tenants/limits";
import { isSystemTenantId } from "../../../services/tenants/system-tenant";
import { updateTenant } from "../../../services/tenants/tenants";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { AdminPageError } from "../../errors";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { ApiKeysTable } from "../settings/api-keys/components";
import { PERMISSION_LABELS, TYPE_LABELS } from "../settings/api-keys/shared";
import { InviteFields } from "./invite";
import { field, Notice, StatusTag, TENANTS_PATH, tenantOr404, tenantPath, when } from "./shared";
import { ActionsHeader } from "../settings/shared";

const LIMIT_FIELDS = [
  { key: "requestsPerMinute", label: "Send requests a minute" },
  { key: "dailyEmail", label: "Emails a day" },
  { key: "dailySms", label: "Text messages a day" },
  { key: "dailyMsgApp", label: "Chat messages a day" },
] as const satisfies readonly { key: keyof TenantLimits; label: string }[];

const NOTICES: Record<string, string> = {
  status: "Status changed",
  limits: "Limits saved",
  revoked: "API key revoked",
  assigned: "Inbound number assigned",
  released: "Inbound number released",
  invited: "Invitation sent",
};

/** What a re-rendered detail page keeps of a refused form. */
export interface DetailState {
  errors: FormError[];
  limits?: Record<string, string>;
  key?: { name: string; type: string; permissions: string[] };
  number?: string;
  invite?: { email?: string; role?: string };
}

/**
 * `GET /admin/tenants/:id` (operator): a tenant's summary (id, status, home region, effective
 * limits, created), its status (changed after a confirmation page), its own limits, its API keys,
 * inbound numbers and the invitation of an administrator. `POST /admin/tenants/:id/limits` saves
 * the limits (empty = the system default for its status), `GET|POST /admin/tenants/:id/status`
 * confirms and changes the status. Every change is audited under the tenant.
 */
export function registerTenantDetail(admin: Hono<AdminEnv>): void {
  admin.get("/tenants/:id", requireAdmin("operator"), async (c) => {
    const tenant = await tenantOr404(operatorContextOf(c), c.req.param("id"));
    return renderDetail(c, tenant, { errors: [] });
  });

  admin.get("/tenants/:id/status", requireAdmin("operator"), async (c) => {
    const tenant = await tenantOr404(operatorContextOf(c), c.req.param("id"));
    if (isSystemTenantId(tenant.id)) throw new AdminPageError(422, "The system tenant stays live: on trial it could not send sign-in links.");
    const to = tenant.status === "live" ? "trial" : "live";
    return page(c, "Change status", <ConfirmStatusPage tenant={tenant} to={to} />);
  });

  admin.post("/tenants/:id/status", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const to = field(await c.req.parseBody(), "status", 10);
    if (to !== "trial" && to !== "live") throw new AdminPageError(400, "Choose trial or live.");
    // A trial system tenant could mail only its (empty) guest list: every invitation would fail.
    if (isSystemTenantId(tenant.id) && to !== "live") throw new AdminPageError(422, "The system tenant stays live: on trial it could not send sign-in links.");
    if (to !== tenant.status) {
      await updateTenant(ctx, tenant.id, { status: to });
      await audit(ctx, "tenant.status_changed", `tenant:${tenant.id}`, { from: tenant.status, to }, { tenantId: tenant.id });
    }
    return c.redirect(`${tenantPath(tenant.id)}?done=status`, 303);
  });

  admin.post("/tenants/:id/limits", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const form = await c.req.parseBody();
    const given: Record<string, string> = {};
    const patch: Record<string, number | null> = {};
    const errors: FormError[] = [];
    for (const { key, label } of LIMIT_FIELDS) {
      const raw = field(form, key, 20).trim().replace(/[,_ ]/g, "");
      given[key] = raw;
      if (raw === "") {
        patch[key] = null;
        continue;
      }
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      const checked = TenantLimitsSchema.shape[key].safeParse(n);
      if (!checked.success || Number.isNaN(n)) errors.push({ field: key, message: `${label}: enter a whole number${key === "requestsPerMinute" ? " from 1" : " from 0"} to ${key === "requestsPerMinute" ? "1,000,000" : "100,000,000"}, or leave it empty for the default` });
      else patch[key] = n;
    }
    if (errors.length > 0) return renderDetail(c, tenant, { errors, limits: given }, 422);
    await updateTenant(ctx, tenant.id, { limits: patch });
    await audit(ctx, "tenant.limits_changed", `tenant:${tenant.id}`, { limits: patch }, { tenantId: tenant.id });
    return c.redirect(`${tenantPath(tenant.id)}?done=limits`, 303);
  });
}

/** The detail page of `tenant` with its keys and inbound numbers; forms keep what `state` holds. */
export async function renderDetail(c: Context<AdminEnv>, tenant: TenantRow, state: DetailState, status: 200 | 409 | 422 = 200) {
  const ctx = operatorContextOf(c);
  const [keys, numbers] = await Promise.all([listApiKeys(ctx, tenant.id, toPageRequest({ limit: 100 })), listInboundNumbers(ctx, tenant.id)]);
  const notice = NOTICES[c.req.query("done") ?? ""];
  const region = homeOfTenantId(tenant.id) ?? dataRegion(ctx.env);
  return page(c, tenant.name, <DetailPage tenant={tenant} region={region} keys={keys.items} moreKeys={keys.nextCursor !== null} numbers={numbers.items} notice={notice} state={state} />, status);
}

function Row({ name, children }: { name: string; children?: unknown }) {
  return (
    <div class="summary-list__row">
      <dt class="summary-list__key">{name}</dt>
      <dd class="summary-list__value">{children as string}</dd>
    </div>
  );
}

function DetailPage(props: { tenant: TenantRow; region: string | null; keys: ApiKeyView[]; moreKeys: boolean; numbers: SmsSenderView[]; notice?: string; state: DetailState }) {
  const { tenant, state } = props;
  const base = tenantPath(tenant.id);
  const system = isSystemTenantId(tenant.id);
  const effective = effectiveLimits(tenant.status, tenant.limits);
  const own = tenant.limits as Record<string, number | undefined>;
  const defaults = effectiveLimits(tenant.status, {});
  const keyForm = state.key ?? { name: "", type: "", permissions: ["send", "read"] };
  return (
    <>
      <ErrorSummary errors={state.errors} />
      <Notice text={props.notice} />
      <a class="back-link" href={TENANTS_PATH}>
        Back to tenants
      </a>
      <span class="caption">Tenant</span>
      <h1 class="heading-l">{tenant.name}</h1>
      {system && <p class="body">This is the system tenant: it sends the deployment's own mail (sign-in links) and has no API keys or administrators.</p>}
      <dl class="summary-list">
        <Row name="Id">
          <span class="code">{tenant.id}</span>
        </Row>
        <div class="summary-list__row">
          <dt class="summary-list__key">Status</dt>
          <dd class="summary-list__value">
            <StatusTag status={tenant.status} />
          </dd>
          <dd class="summary-list__actions">
            {!system && (
            <a href={`${base}/status`}>
              {tenant.status === "trial" ? "Make live" : "Return to trial"}
              <span class="visually-hidden"> {tenant.name}</span>
            </a>
            )}
          </dd>
        </div>
        <Row name="Home region">{props.region ? `${props.region.toUpperCase()} (fixed at creation)` : "Single-region deployment"}</Row>
        <Row name="Limits">{LIMIT_FIELDS.map((f) => `${f.label}: ${effective[f.key].toLocaleString("en-GB")}`).join("; ")}</Row>
        <Row name="Created">{when(tenant.createdAt.toISOString())}</Row>
      </dl>
      <p class="body">
        <a href={`/admin/failures?tenant=${tenant.id}`}>Technical failures of {tenant.name}</a>
      </p>
      {!system && (
        <p class="body">
          <a href={`${base}/view-as`}>View as this tenant (read only)</a>
        </p>
      )}

      <h2 class="heading-m">Limits</h2>
      <form method="post" action={`${base}/limits`} novalidate>
        {LIMIT_FIELDS.map((f) => (
          <TextField
            id={f.key}
            name={f.key}
            label={f.label}
            hint={`Empty for the ${tenant.status} default, ${defaults[f.key].toLocaleString("en-GB")}`}
            value={state.limits?.[f.key] ?? (own[f.key] !== undefined ? String(own[f.key]) : "")}
            error={errorFor(state.errors, f.key)}
            autocomplete="off"
          />
        ))}
        <button type="submit" class="button button--secondary">
          Save limits
        </button>
      </form>

      <h2 class="heading-m">API keys</h2>
      {system ? (
        <p class="body">The system tenant can have no API keys: they would read the deployment's own mail.</p>
      ) : (
        <>
          <KeysTable keys={props.keys} base={base} />
          {props.moreKeys && <p class="body">Only the newest 100 keys are shown.</p>}
          <h3 class="heading-s">Create an API key</h3>
          <form method="post" action={`${base}/api-keys`} novalidate>
            <TextField id="key-name" name="name" label="Name" hint="Say what uses it. It is part of the key." value={keyForm.name} error={errorFor(state.errors, "key-name")} autocomplete="off" />
            <div class={errorFor(state.errors, "key-type-live") ? "form-group form-group--error" : "form-group"}>
              <fieldset class="fieldset">
                <legend class="fieldset__legend">Type of key</legend>
                {errorFor(state.errors, "key-type-live") && (
                  <p class="error-message">
                    <span class="visually-hidden">Error:</span> {errorFor(state.errors, "key-type-live")}
                  </p>
                )}
                {API_KEY_TYPES.map((type) => (
                  <div class="radios__item">
                    <input class="radios__input" id={`key-type-${type}`} name="type" type="radio" value={type} checked={keyForm.type === type} />
                    <label class="label radios__label" for={`key-type-${type}`}>
                      {TYPE_LABELS[type].name} — {TYPE_LABELS[type].hint}
                    </label>
                  </div>
                ))}
              </fieldset>
            </div>
            <div class={errorFor(state.errors, "key-permission-send") ? "form-group form-group--error" : "form-group"}>
              <fieldset class="fieldset">
                <legend class="fieldset__legend">Permissions</legend>
                {errorFor(state.errors, "key-permission-send") && (
                  <p class="error-message">
                    <span class="visually-hidden">Error:</span> {errorFor(state.errors, "key-permission-send")}
                  </p>
                )}
                {API_KEY_PERMISSIONS.map((p) => (
                  <div class="radios__item">
                    <input class="radios__input" id={`key-permission-${p}`} name="permissions" type="checkbox" value={p} checked={keyForm.permissions.includes(p)} />
                    <label class="label radios__label" for={`key-permission-${p}`}>
                      {PERMISSION_LABELS[p]}
                    </label>
                  </div>
                ))}
              </fieldset>
            </div>
            <button type="submit" class="button button--secondary">
              Create key
            </button>
          </form>
        </>
      )}

      <h2 class="heading-m">Inbound numbers</h2>
      {props.numbers.length === 0 ? (
        <p class="body">No inbound numbers: texts sent to this tenant's numbers are not received.</p>
      ) : (
        <table class="table">
          <caption class="table__caption">Numbers that receive texts for this tenant</caption>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Default sender</th>
              <th scope="col">Assigned</th>
              <ActionsHeader label="Action" />
            </tr>
          </thead>
          <tbody>
            {props.numbers.map((n) => (
              <tr>
                <td class="code">{n.sender}</td>
                <td>{n.isDefault ? "Yes" : "No"}</td>
                <td>{when(n.createdAt)}</td>
                <td>
                  <a href={`${base}/inbound-numbers/${n.id}/release`}>
                    Release<span class="visually-hidden"> {n.sender}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action={`${base}/inbound-numbers`} novalidate>
        <TextField id="number" name="number" label="Assign an inbound number" hint="A phone number of this deployment's SMS provider account, for example +447700900123" value={state.number} error={errorFor(state.errors, "number")} autocomplete="off" />
        <div class="form-group">
          <div class="radios__item">
            <input class="radios__input" id="isDefault" name="isDefault" type="checkbox" value="true" />
            <label class="label radios__label" for="isDefault">
              Make it the tenant's default SMS sender
            </label>
          </div>
        </div>
        <button type="submit" class="button button--secondary">
          Assign number
        </button>
      </form>

      <h2 class="heading-m">Invite an administrator</h2>
      {system ? (
        <p class="body">The system tenant has no administrators.</p>
      ) : (
        <form method="post" action={`${base}/invite`} novalidate>
          <InviteFields errors={state.errors} form={state.invite ?? {}} />
          <button type="submit" class="button">
            Send invitation
          </button>
        </form>
      )}
    </>
  );
}

function KeysTable({ keys, base }: { keys: ApiKeyView[]; base: string }) {
  if (keys.length === 0) return <p class="body">No API keys yet.</p>;
  return <ApiKeysTable keys={keys} caption="The tenant's API keys, newest first" revokeHref={(k) => `${base}/api-keys/${k.id}/revoke`} />;
}

function ConfirmStatusPage({ tenant, to }: { tenant: TenantRow; to: "trial" | "live" }) {
  const base = tenantPath(tenant.id);
  return (
    <>
      <a class="back-link" href={base}>
        Back to {tenant.name}
      </a>
      <h1 class="heading-l">{to === "live" ? `Make ‘${tenant.name}’ live?` : `Return ‘${tenant.name}’ to trial?`}</h1>
      <p class="body">
        {to === "live"
          ? "Live tenants send to anyone at full limits (250,000 messages a channel a day unless you set lower ones); the trial allowance of 50 messages a day ends."
          : "Trial tenants send at most 50 messages a day in all, and their daily limits fall back to the trial defaults."}
      </p>
      <form method="post" action={`${base}/status`}>
        <input type="hidden" name="status" value={to} />
        <button type="submit" class={to === "live" ? "button" : "button button--warning"}>
          {to === "live" ? "Make live" : "Return to trial"}
        </button>
      </form>
      <p class="body">
        <a href={base}>Cancel</a>
      </p>
    </>
  );
}

/** Errors of the services that a form shows at `field` (422s and 409s); anything else is thrown on. */
export function formErrorOf(err: unknown, field: string): FormError {
  if (err instanceof ApiError && err.status < 500) return { field, message: err.errors?.[0]?.message ?? err.detail ?? "This could not be done" };
  throw err;
}
