import { Hono } from "hono";
import { ADMIN_ROLES, type AdminRole } from "../db/schema";
import { ApiError } from "../lib/errors/api-error";
import { listTenants } from "../services/tenants/tenants";
import { accessConfig, audit, endSession, inviteAdministrator, redeemSignInLink, ROLE_LABELS, signInLinkIsLive, signInOperator, createSession } from "../services/admin-identity";
import { operatorContextOf } from "./context";
import type { AdminEnv } from "./env";
import { AdminPageError, renderError } from "./errors";
import { ErrorSummary, errorFor, type FormError, page, Tag, TextField } from "./layout";
import { csrfGuard, loadAdmin, requireAdmin, securityHeaders } from "./middleware";
import { clearSessionCookie, setSessionCookie } from "./session-cookie";
import { registerActivity } from "./screens/activity";
import { registerTemplateScreens } from "./screens/templates";
import { registerDashboard } from "./screens/dashboard/dashboard";
import { registerApiKeyScreens } from "./screens/settings/api-keys";
import { registerSettingsScreens } from "./screens/settings";
import { isSystemTenantId } from "../services/tenants/system-tenant";

/** Form fields are bounded like every input: longer values are cut before use. */
function field(form: Record<string, unknown>, name: string, max = 1000): string {
  const value = form[name];
  return typeof value === "string" ? value.slice(0, max) : "";
}

/**
 * The admin UI (issue 13), mounted at /admin by app.ts: server-rendered pages, forms that post
 * and redirect, HTML error pages. Not in the OpenAPI document. Screens register their routes in
 * `registerScreens` (see README "Admin UI" for the conventions).
 */
export function buildAdminApp(): Hono<AdminEnv> {
  const admin = new Hono<AdminEnv>({ strict: false });
  admin.use("*", securityHeaders, csrfGuard, loadAdmin);
  admin.onError((err, c) => renderError(c, err));

  admin.get("/", (c) => {
    const who = c.get("admin");
    return c.redirect(!who ? "/admin/sign-in" : who.kind === "operator" ? "/admin/tenants" : "/admin/dashboard", 303);
  });

  // ── Sign in and out ─────────────────────────────────────────────────────────────────────────
  admin.get("/sign-in", (c) => page(c, "Sign in", <SignInPage access={!!accessConfig(c.env)} errors={[]} />));

  admin.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    const ctx = operatorContextOf(c);
    const result = await signInOperator(ctx, { token: field(form, "token", 600), client: c.req.header("cf-connecting-ip") ?? "unknown" });
    if (!result.ok) {
      const message =
        result.reason === "too_many_attempts"
          ? "Too many attempts. Wait a minute and try again."
          : result.reason === "disabled"
            ? "Signing in with the admin token is turned off on this deployment."
            : "The admin token is not correct";
      return page(c, "Sign in", <SignInPage access={!!accessConfig(c.env)} errors={[{ field: "token", message }]} />, result.reason === "too_many_attempts" ? 429 : 403);
    }
    const session = await createSession(ctx, { kind: "operator", role: "manage", userId: null, tenantId: null }, c.get("sessionCookie"));
    await audit(ctx, "admin.operator.signed_in", "", undefined, { tenantId: null });
    setSessionCookie(c, session.id);
    return c.redirect("/admin/tenants", 303);
  });

  // Mail scanners open links: GET only shows a button, the POST uses the link.
  admin.get("/sign-in/link/:token", async (c) => {
    if (!(await signInLinkIsLive(operatorContextOf(c), c.req.param("token")))) throw new AdminPageError(404, "This sign-in link has been used or has expired. Ask your administrator for a new one.");
    return page(
      c,
      "Sign in",
      <>
        <h1 class="heading-l">Sign in to Edge Notify</h1>
        <p class="body">This link works once. Continue to sign in.</p>
        <form method="post" action={`/admin/sign-in/link/${c.req.param("token")}`}>
          <button type="submit" class="button">
            Continue
          </button>
        </form>
      </>,
    );
  });

  admin.post("/sign-in/link/:token", async (c) => {
    const ctx = operatorContextOf(c);
    let redeemed;
    try {
      redeemed = await redeemSignInLink(ctx, c.req.param("token"), c.get("sessionCookie"));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new AdminPageError(404, "This sign-in link has been used or has expired. Ask your administrator for a new one.");
      throw err;
    }
    await audit({ ...ctx, actor: `user:${redeemed.user.id}` }, "admin.user.signed_in", `admin_user:${redeemed.user.id}`, undefined, { tenantId: redeemed.user.tenantId });
    setSessionCookie(c, redeemed.sessionId);
    return c.redirect("/admin/dashboard", 303);
  });

  admin.post("/sign-out", async (c) => {
    await endSession({ db: c.get("db") }, c.get("sessionCookie"));
    clearSessionCookie(c);
    return c.redirect("/admin/sign-in", 303);
  });

  // ── Operators ───────────────────────────────────────────────────────────────────────────────
  admin.get("/tenants", requireAdmin("operator"), async (c) => {
    const tenants = await listTenants(operatorContextOf(c), { limit: 100 });
    return page(c, "Tenants", <TenantsPage tenants={tenants.items} notice={c.req.query("invited") === "1" ? "Invitation sent" : undefined} errors={[]} form={{}} />);
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
        return c.redirect("/admin/tenants?invited=1", 303);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        const at = err.errors?.[0];
        errors.push({ field: at?.path === "email" ? "email" : "tenantId", message: at?.message ?? err.detail ?? "The invitation could not be sent" });
      }
    }
    const tenants = await listTenants(ctx, { limit: 100 });
    return page(c, "Tenants", <TenantsPage tenants={tenants.items} errors={errors} form={input} />, 422);
  });

  registerScreens(admin);
  admin.all("*", () => {
    throw new AdminPageError(404);
  });
  return admin;
}

/** Screens (dashboard, templates, activity, send, settings…) add their routes here. */
function registerScreens(admin: Hono<AdminEnv>): void {
  registerActivity(admin);
  registerTemplateScreens(admin);
  registerDashboard(admin);
  registerApiKeyScreens(admin);
  registerSettingsScreens(admin);
}

function SignInPage({ access, errors }: { access: boolean; errors: FormError[] }) {
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1 class="heading-l">Sign in</h1>
      {access ? (
        <p class="body">Operators sign in through Cloudflare Access: open this page through your Access login.</p>
      ) : (
        <>
          <h2 class="heading-m">Operators</h2>
          <form method="post" action="/admin/sign-in" novalidate>
            <TextField id="token" name="token" type="password" label="Admin token" hint="The ADMIN_TOKEN of this deployment (npm start prints where it is)" error={errorFor(errors, "token")} autocomplete="current-password" />
            <button type="submit" class="button">
              Sign in
            </button>
          </form>
        </>
      )}
      <h2 class="heading-m">Tenant administrators</h2>
      <p class="body">Use the sign-in link emailed to you. Each link works once; ask your administrator or operator for a new one.</p>
    </>
  );
}

function TenantsPage(props: {
  tenants: { id: string; name: string; status: string; createdAt: string }[];
  notice?: string;
  errors: FormError[];
  form: { tenantId?: string; email?: string; role?: string };
}) {
  return (
    <>
      <ErrorSummary errors={props.errors} />
      {props.notice && (
        <div class="notification-banner notification-banner--success" role="status">
          <p class="body">{props.notice}</p>
        </div>
      )}
      <h1 class="heading-l">Tenants</h1>
      <table class="table">
        <caption class="table__caption">All tenants</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Id</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.tenants.map((t) => (
            <tr>
              <td>{t.name}</td>
              <td>
                <Tag tone={t.status === "live" ? "green" : "blue"}>{t.status}</Tag>
              </td>
              <td class="code">{t.id}</td>
              <td>{t.createdAt.slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 class="heading-m">Invite a tenant's administrator</h2>
      <form method="post" action="/admin/tenants/invite" novalidate>
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
            {props.tenants.filter((t) => !isSystemTenantId(t.id)).map((t) => (
              <option value={t.id} selected={props.form.tenantId === t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <TextField id="email" name="email" type="email" label="Email address" hint="They get a sign-in link that works once, for 24 hours" value={props.form.email} error={errorFor(props.errors, "email")} autocomplete="off" />
        <div class={errorFor(props.errors, "role-read") ? "form-group form-group--error" : "form-group"}>
          <fieldset class="fieldset">
            <legend class="fieldset__legend">Role</legend>
            {errorFor(props.errors, "role-read") && (
              <p class="error-message">
                <span class="visually-hidden">Error:</span> {errorFor(props.errors, "role-read")}
              </p>
            )}
            {(["manage", "send", "read"] as const).map((role) => (
              <div class="radios__item">
                <input class="radios__input" id={`role-${role}`} name="role" type="radio" value={role} checked={(props.form.role ?? "manage") === role} />
                <label class="label radios__label" for={`role-${role}`}>
                  {ROLE_LABELS[role]}
                </label>
              </div>
            ))}
          </fieldset>
        </div>
        <button type="submit" class="button">
          Send invitation
        </button>
      </form>
    </>
  );
}
