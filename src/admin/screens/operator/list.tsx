import type { Hono } from "hono";
import { ADMIN_ROLES, type AdminRole } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { toPageRequest } from "../../../lib/pagination";
import { inviteAdministrator } from "../../../services/admin-identity";
import { type TenantVolume, tenantsVolume } from "../../../services/notifications/tenants-volume";
import { isSystemTenantId } from "../../../services/tenants/system-tenant";
import { listTenants, type TenantView } from "../../../services/tenants/tenants";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { InviteFields } from "./invite";
import { field, Notice, StatusTag, TENANTS_PATH, tenantPath } from "./shared";

/** The first page holds 100 tenants; later ones follow the "Next" link's cursor. */
const PAGE_SIZE = 100;

const numbers = new Intl.NumberFormat("en-GB");

/**
 * `GET /admin/tenants` (operator): tenants newest first, 100 a page, each with its status, home
 * region and the last 7 days' messages and failure rate (one aggregate query for the page), and
 * the form to invite a tenant's administrator (`POST /admin/tenants/invite`).
 */
export function registerTenantsList(admin: Hono<AdminEnv>): void {
  admin.get("/tenants", requireAdmin("operator"), async (c) => {
    const notice = c.req.query("invited") === "1" ? "Invitation sent" : undefined;
    return renderList(c, { notice, errors: [], form: {} });
  });

  admin.post("/tenants/invite", requireAdmin("operator"), async (c) => {
    const form = await c.req.parseBody();
    const ctx = operatorContextOf(c);
    const input = { tenantId: field(form, "tenantId", 100), email: field(form, "email", 400), role: field(form, "role", 20) };
    const errors: FormError[] = [];
    if (!input.tenantId) errors.push({ field: "tenantId", message: "Select a tenant" });
    if (!(ADMIN_ROLES as readonly string[]).includes(input.role)) errors.push({ field: "role-read", message: "Select a role" });
    if (errors.length === 0) {
      try {
        await inviteAdministrator(ctx, input.tenantId, { email: input.email, role: input.role as AdminRole });
        return c.redirect(`${TENANTS_PATH}?invited=1`, 303);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        const at = err.errors?.[0];
        errors.push({ field: at?.path === "email" ? "email" : "tenantId", message: at?.message ?? err.detail ?? "The invitation could not be sent" });
      }
    }
    return renderList(c, { errors, form: input }, 422);
  });
}

async function renderList(
  c: Parameters<typeof operatorContextOf>[0],
  state: { notice?: string; errors: FormError[]; form: { tenantId?: string; email?: string; role?: string } },
  status: 200 | 422 = 200,
) {
  const ctx = operatorContextOf(c);
  // A cursor we did not make is an ApiError 400, which renders the 400 page.
  const tenants = await listTenants(ctx, toPageRequest({ limit: PAGE_SIZE, cursor: c.req.query("cursor")?.slice(0, 512) }));
  const volumes = await tenantsVolume(ctx, tenants.items.map((t) => t.id));
  return page(c, "Tenants", <TenantsPage tenants={tenants.items} volumes={volumes} nextCursor={tenants.nextCursor} {...state} />, status);
}

function TenantsPage(props: {
  tenants: TenantView[];
  volumes: Map<string, TenantVolume>;
  nextCursor: string | null;
  notice?: string;
  errors: FormError[];
  form: { tenantId?: string; email?: string; role?: string };
}) {
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <Notice text={props.notice} />
      <h1 class="heading-l">Tenants</h1>
      <a class="button" href={`${TENANTS_PATH}/new`} role="button" draggable="false">
        Create a tenant
      </a>
      <table class="table">
        <caption class="table__caption">Tenants, newest first, with their messages in the last 7 days</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Home region</th>
            <th scope="col" class="numeric">
              Messages (7 days)
            </th>
            <th scope="col" class="numeric">
              Failure rate
            </th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.tenants.map((t) => {
            const v = props.volumes.get(t.id);
            return (
              <tr>
                <td>
                  <a href={tenantPath(t.id)}>{t.name}</a>
                  <div class="hint code">{t.id}</div>
                </td>
                <td>
                  <StatusTag status={t.status} />
                </td>
                <td>{t.region ? t.region.toUpperCase() : "Single region"}</td>
                <td class="numeric">{numbers.format(v?.sent ?? 0)}</td>
                <td class="numeric">{v && v.sent > 0 ? `${v.failureRate}%` : "–"}</td>
                <td>{t.createdAt.slice(0, 10)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.nextCursor && (
        <p class="body">
          <a href={`${TENANTS_PATH}?cursor=${encodeURIComponent(props.nextCursor)}`}>Next tenants</a>
        </p>
      )}
      <h2 class="heading-m">Invite a tenant's administrator</h2>
      <form method="post" action={`${TENANTS_PATH}/invite`} novalidate>
        <div class={errorFor(props.errors, "tenantId") ? "form-group form-group--error" : "form-group"}>
          <label class="label" for="tenantId">
            Tenant
          </label>
          {errorFor(props.errors, "tenantId") && (
            <p id="tenantId-error" class="error-message">
              <span class="visually-hidden">Error:</span> {errorFor(props.errors, "tenantId")}
            </p>
          )}
          <select class="select" id="tenantId" name="tenantId">
            <option value="">Select a tenant</option>
            {props.tenants
              .filter((t) => !isSystemTenantId(t.id))
              .map((t) => (
                <option value={t.id} selected={props.form.tenantId === t.id}>
                  {t.name}
                </option>
              ))}
          </select>
        </div>
        <InviteFields errors={props.errors} form={props.form} />
        <button type="submit" class="button">
          Send invitation
        </button>
      </form>
    </>
  );
}
