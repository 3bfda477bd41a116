import { Hono } from "hono";
import { ApiError } from "../lib/errors/api-error";
import { accessConfig, audit, endSession, operatorCredential, redeemSignInLink, signInLinkIsLive, signInOperator, createSession } from "../services/admin-identity";
import { operatorContextOf } from "./context";
import type { AdminEnv } from "./env";
import { AdminPageError, renderError } from "./errors";
import { ErrorSummary, errorFor, type FormError, page, TextField } from "./layout";
import { adminBodyLimit } from "./body-limit";
import { readFormBody } from "./form-body";
import { csrfGuard, loadAdmin, securityHeaders } from "./middleware";
import { clearSessionCookie, setSessionCookie } from "./session-cookie";
import { registerActivity } from "./screens/activity";
import { registerTemplateScreens } from "./screens/templates";
import { registerDashboard } from "./screens/dashboard/dashboard";
import { registerApiKeyScreens } from "./screens/settings/api-keys";
import { registerSettingsScreens } from "./screens/settings";
import { registerRecipientScreens } from "./screens/recipients";
import { registerOperatorScreens } from "./screens/operator";
import { registerSendScreens } from "./screens/send";
import { registerEventTypeScreens } from "./screens/event-types";

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
  // The session is loaded before any body is read: only a signed-in tenant user gets the upload
  // limit, so no one signed out can make the Worker take and parse a 12 MiB body.
  admin.use("*", securityHeaders, csrfGuard, loadAdmin, adminBodyLimit, readFormBody);
  admin.onError((err, c) => renderError(c, err));

  admin.get("/", (c) => {
    const who = c.get("admin");
    return c.redirect(!who ? "/admin/sign-in" : who.kind === "operator" && !who.viewing ? "/admin/tenants" : "/admin/dashboard", 303);
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
    // The token's fingerprint goes with the session: rotating ADMIN_TOKEN ends it (middleware.ts).
    const session = await createSession(ctx, { kind: "operator", role: "manage", userId: null, tenantId: null, credential: await operatorCredential(ctx.env) }, c.get("sessionCookie"));
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

  registerScreens(admin);
  admin.all("*", () => {
    throw new AdminPageError(404);
  });
  return admin;
}

/** Screens (dashboard, templates, activity, send, settings…) add their routes here. */
function registerScreens(admin: Hono<AdminEnv>): void {
  registerOperatorScreens(admin);
  registerActivity(admin);
  registerTemplateScreens(admin);
  registerDashboard(admin);
  registerApiKeyScreens(admin);
  registerSettingsScreens(admin);
  registerRecipientScreens(admin);
  registerSendScreens(admin);
  registerEventTypeScreens(admin);
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
