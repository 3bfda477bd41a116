import type { Hono } from "hono";
import { ADMIN_ROLES, type AdminRole } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { inviteAdministrator, ROLE_LABELS } from "../../../services/admin-identity";
import { isSystemTenantId } from "../../../services/tenants/system-tenant";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { errorFor, type FormError, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { renderDetail } from "./detail";
import { field, tenantOr404, tenantPath } from "./shared";

/**
 * `POST /admin/tenants/:id/invite` (operator): the tenant detail page's invitation form. The
 * service sends the one-time link as the system tenant's mail and writes the audit entry; the
 * system tenant itself is refused (it has no administrators). Errors re-render the detail page.
 */
export function registerInviteScreen(admin: Hono<AdminEnv>): void {
  admin.post("/tenants/:id/invite", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const tenant = await tenantOr404(ctx, c.req.param("id"));
    const form = await c.req.parseBody();
    const input = { email: field(form, "email", 400), role: field(form, "role", 20) };
    const errors: FormError[] = [];
    if (isSystemTenantId(tenant.id)) errors.push({ field: "email", message: "The system tenant has no administrators: its mail is the deployment's own" });
    else if (!(ADMIN_ROLES as readonly string[]).includes(input.role)) errors.push({ field: "role-read", message: "Select a role" });
    if (errors.length === 0) {
      try {
        await inviteAdministrator(ctx, tenant.id, { email: input.email, role: input.role as AdminRole });
        return c.redirect(`${tenantPath(tenant.id)}?done=invited`, 303);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        errors.push({ field: "email", message: err.errors?.[0]?.message ?? err.detail ?? "The invitation could not be sent" });
      }
    }
    return renderDetail(c, tenant, { errors, invite: input }, 422);
  });
}

/** The email and role fields of an invitation (the Tenants page and a tenant's page share them). */
export function InviteFields({ errors, form }: { errors: FormError[]; form: { email?: string; role?: string } }) {
  return (
    <>
      <TextField id="email" name="email" type="email" label="Email address" hint="They get a sign-in link that works once, for 24 hours" value={form.email} error={errorFor(errors, "email")} autocomplete="off" />
      <div class={errorFor(errors, "role-read") ? "form-group form-group--error" : "form-group"}>
        <fieldset class="fieldset">
          <legend class="fieldset__legend">Role</legend>
          {errorFor(errors, "role-read") && (
            <p class="error-message">
              <span class="visually-hidden">Error:</span> {errorFor(errors, "role-read")}
            </p>
          )}
          {(["manage", "send", "read"] as const).map((role) => (
            <div class="radios__item">
              <input class="radios__input" id={`role-${role}`} name="role" type="radio" value={role} checked={(form.role ?? "manage") === role} />
              <label class="label radios__label" for={`role-${role}`}>
                {ROLE_LABELS[role]}
              </label>
            </div>
          ))}
        </fieldset>
      </div>
    </>
  );
}
