import type { Hono } from "hono";
import { ApiError } from "../../../lib/errors/api-error";
import { CreateTenantSchema } from "../../../routes/tenants/schemas";
import { audit } from "../../../services/admin-identity";
import { createTenant } from "../../../services/tenants/tenants";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { formErrorOf } from "./detail";
import { field, TENANTS_PATH, tenantPath } from "./shared";

interface CreateForm {
  name: string;
  status: string;
}

/**
 * `GET /admin/tenants/new` (operator): the form (name, status; limits stay the defaults for its
 * status and the home region is this deployment's). `POST /admin/tenants` checks it with the
 * operator API's own schema, creates the tenant, audits it and goes to its page.
 */
export function registerCreateTenantScreen(admin: Hono<AdminEnv>): void {
  admin.get("/tenants/new", requireAdmin("operator"), (c) => page(c, "Create a tenant", <CreateTenantPage errors={[]} form={{ name: "", status: "trial" }} />));

  admin.post("/tenants", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    const body = await c.req.parseBody();
    const form: CreateForm = { name: field(body, "name", 300), status: field(body, "status", 10) };
    const errors: FormError[] = [];
    let conflict = false;
    const parsed = CreateTenantSchema.safeParse({ name: form.name, status: form.status || undefined });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = issue.path[0] === "status" ? "status-trial" : "name";
        if (errors.some((e) => e.field === at)) continue;
        errors.push({ field: at, message: at === "name" ? (form.name.trim() === "" ? "Enter the tenant's name" : `Name: ${issue.message}`) : "Select trial or live" });
      }
    } else {
      try {
        // The form posted twice at once (or reloaded) makes one tenant: a name already used is refused at the field.
        const tenant = await createTenant(ctx, parsed.data, { newNameOnly: true });
        await audit(ctx, "tenant.created", `tenant:${tenant.id}`, { name: tenant.name, status: tenant.status }, { tenantId: tenant.id });
        return c.redirect(tenantPath(tenant.id), 303);
      } catch (err) {
        conflict = err instanceof ApiError && err.status === 409;
        errors.push(formErrorOf(err, "name"));
      }
    }
    return page(c, "Create a tenant", <CreateTenantPage errors={errors} form={form} />, conflict ? 409 : 422);
  });
}

function CreateTenantPage({ errors, form }: { errors: FormError[]; form: CreateForm }) {
  const statusError = errorFor(errors, "status-trial");
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={TENANTS_PATH}>
        Back to tenants
      </a>
      <h1 class="heading-l">Create a tenant</h1>
      <form method="post" action={TENANTS_PATH} novalidate>
        <TextField id="name" name="name" label="Name" hint="The service or team the tenant is for, for example ‘Funding Applications’" value={form.name} error={errorFor(errors, "name")} autocomplete="off" />
        <div class={statusError ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset">
            <legend class="fieldset__legend">Status</legend>
            {statusError && (
              <p class="error-message">
                <span class="visually-hidden">Error:</span> {statusError}
              </p>
            )}
            <div class="radios__item">
              <input class="radios__input" id="status-trial" name="status" type="radio" value="trial" checked={form.status !== "live"} />
              <label class="label radios__label" for="status-trial">
                Trial — 50 messages a day in all, to its team and guest list
              </label>
            </div>
            <div class="radios__item">
              <input class="radios__input" id="status-live" name="status" type="radio" value="live" checked={form.status === "live"} />
              <label class="label radios__label" for="status-live">
                Live — full limits
              </label>
            </div>
          </fieldset>
        </div>
        <p class="body">Limits start at the defaults for the status; change them on the tenant's page. Its home region is this deployment's and cannot change.</p>
        <button type="submit" class="button">
          Create tenant
        </button>
      </form>
    </>
  );
}
