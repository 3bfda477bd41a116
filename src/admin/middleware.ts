import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { type ApiKeyPermission, tenants } from "../db/schema";
import { toBase64Url } from "../lib/crypto/encoding";
import { publicOrigin } from "../lib/public-origin";
import { permits } from "../middleware/auth";
import { log } from "../lib/log";
import { accessConfig, audit, createSession, loadSession, operatorSessionHolds, permissionsOfRole, SESSION_COOKIE, VIEW_AS_PAGE_ACTION, verifyAccessAssertion } from "../services/admin-identity";
import type { AdminEnv, AdminIdentity } from "./env";
import { AdminPageError } from "./errors";
import { setSessionCookie } from "./session-cookie";

/**
 * An htmx fragment is swapped into a page whose policy was set when the page loaded, and a
 * preview frame in it inherits that policy: so a fragment's previews carry the page's style
 * nonce, which htmx sends back (`hx-headers` on <body>). Honoured only on htmx requests and only
 * in the shape we issue; a made-up value can only fail to style a preview in the sender's own page.
 */
function fragmentStyleNonce(hxRequest: string | undefined, sent: string | undefined): string | null {
  return hxRequest === "true" && sent && /^[A-Za-z0-9_-]{22}$/.test(sent) ? sent : null;
}

/**
 * Strict headers on every admin response, with a fresh CSP nonce (`c.get("cspNonce")`, which
 * `page()` puts on every <script>). No inline script or style, no eval, nothing from another
 * origin; frames only from our own origin (tenant HTML previews, always `sandbox`ed).
 */
export const securityHeaders = createMiddleware<AdminEnv>(async (c, next) => {
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  c.set("cspNonce", nonce);
  const styleNonce = fragmentStyleNonce(c.req.header("hx-request"), c.req.header("x-style-nonce")) ?? toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  c.set("styleNonce", styleNonce);
  await next();
  const headers = {
    "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${styleNonce}'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'`,
    "x-frame-options": "DENY",
    // Not no-referrer: under it a browser's form posts carry `Origin: null`, and the CSRF check reads Origin.
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
  };
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
});

/** Content types a browser's form can send; the UI takes nothing else (no JSON, no text/plain). */
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * CSRF: every request that is not GET/HEAD must come from a page of this origin (`Origin` equal
 * to the deployment's, or, with no Origin, `Sec-Fetch-Site: same-origin`) and carry a form body.
 * The session cookie is SameSite=Strict as well; this holds even where that does not.
 */
export const csrfGuard = createMiddleware<AdminEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  // `null` is what a browser sends where a referrer policy hides the origin: then Sec-Fetch-Site decides.
  const given = c.req.header("origin");
  const origin = given === "null" ? undefined : given;
  const site = c.req.header("sec-fetch-site");
  const sameOrigin = origin !== undefined ? origin === publicOrigin(c) && (site === undefined || site === "same-origin") : site === "same-origin";
  if (!sameOrigin) throw new AdminPageError(403, "This form was sent from another site, so it was refused. Go back, reload the page and try again.");
  if (!FORM_TYPES.test(c.req.header("content-type") ?? "")) throw new AdminPageError(403, "The admin pages accept only form submissions.");
  await next();
});

/**
 * Loads the session named by the cookie into `c.get("admin")` (null when none). With Cloudflare
 * Access configured, a request without a live session but with a valid Access assertion starts
 * an operator session. An operator session holding a tenant (a read-only view as that tenant,
 * services/admin-identity/view-as.ts) is that tenant's `read` role, and every request made
 * while viewing is audited under the tenant (`admin.operator.view_as`: method, path, status).
 */
export const loadAdmin = createMiddleware<AdminEnv>(async (c, next) => {
  const cookie = getCookie(c, SESSION_COOKIE);
  c.set("sessionCookie", cookie);
  const ctx = { db: c.get("db"), now: new Date() };
  const loaded = await loadSession(ctx, cookie);
  // An operator session lasts only while what started it does: a valid Access assertion on this
  // very request, or (token sign-in) the admin token it was started with, not a rotated one.
  const session = loaded?.kind === "operator" && !(await operatorSessionHolds(c.env, loaded.credential, c.req.header("cf-access-jwt-assertion"))) ? null : loaded;
  let viewing: AdminIdentity["viewing"];
  if (session?.kind === "operator" && session.tenantId) {
    const tenant = await ctx.db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.id, session.tenantId)).get();
    // The row cascades away with its tenant; a missing one only means it went mid-request.
    if (tenant) viewing = { tenantId: tenant.id, tenantName: tenant.name };
  }
  if (session && viewing) {
    c.set("admin", { kind: "operator", tenantId: viewing.tenantId, role: "read", userId: null, permissions: permissionsOfRole("read"), actor: "operator", viewing });
  } else if (session) {
    c.set("admin", {
      kind: session.kind,
      tenantId: session.kind === "user" ? session.tenantId : null,
      role: session.role,
      userId: session.userId,
      permissions: permissionsOfRole(session.role),
      actor: session.kind === "operator" ? "operator" : `user:${session.userId}`,
    });
  } else if (accessConfig(c.env) && (await verifyAccessAssertion(c.env, c.req.header("cf-access-jwt-assertion")))) {
    const created = await createSession(ctx, { kind: "operator", role: "manage", userId: null, tenantId: null, credential: "access" }, cookie);
    setSessionCookie(c, created.id);
    c.set("admin", { kind: "operator", tenantId: null, role: "manage", userId: null, permissions: permissionsOfRole("manage"), actor: "operator" });
  } else {
    c.set("admin", null);
  }
  await next();
  if (viewing) await auditViewing(c, viewing.tenantId);
});

/** Stopping writes its own entry (view_as_stopped). */
const VIEW_AS_STOP_PATH = "/admin/view-as/stop";

/**
 * Signing in and out is not a look at the viewed tenant, and a sign-in link's path is its
 * one-time token: written under the viewed tenant, its users could read it and sign in as
 * whoever the link was sent to.
 */
const NOT_VIEWING_PATH = /^\/admin\/sign-(in|out)(\/|$)/;

/** One audit row for a request made while viewing a tenant; a failed write is logged, the page still answers. */
async function auditViewing(c: Context<AdminEnv>, tenantId: string): Promise<void> {
  const url = new URL(c.req.url);
  if (url.pathname === VIEW_AS_STOP_PATH || NOT_VIEWING_PATH.test(url.pathname) || c.get("notViewingTenant")) return;
  const path = `${url.pathname}${url.search}`.slice(0, 500);
  try {
    await audit({ db: c.get("db"), now: new Date(), actor: "operator" }, VIEW_AS_PAGE_ACTION, path, { method: c.req.method, status: c.res.status }, { tenantId });
  } catch (err) {
    log("error", "view-as audit write failed", { tenantId, path, error: String(err) });
  }
}

/**
 * Guards a page: `"operator"` for operator pages, or the API key permission a tenant user's role
 * must carry (the same `permits` rule as the API's; an operator viewing a tenant has `read`, and
 * no non-GET request of any page, nor any operator page, passes while viewing). No one signed in: GET is redirected to the
 * sign-in page, anything else is a 403 page; signed in without the right: a 403 page.
 *
 * @example
 * ```ts
 * admin.get("/settings", requireAdmin("read"), handler);
 * admin.post("/settings", requireAdmin("manage"), handler);
 * admin.get("/tenants", requireAdmin("operator"), handler);
 * ```
 */
export function requireAdmin(need: ApiKeyPermission | "operator") {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const admin = c.get("admin");
    if (!admin) {
      if (c.req.method === "GET") return c.redirect("/admin/sign-in", 303);
      throw new AdminPageError(403, "Your session has ended. Sign in again.");
    }
    // Viewing a tenant is read-only whatever the page: no form post changes anything, the
    // operator's own included, until "Stop viewing" (which has no guard of this kind).
    if (admin.viewing && c.req.method !== "GET" && c.req.method !== "HEAD") throw new AdminPageError(403, `You are viewing ${admin.viewing.tenantName} read only: nothing can be changed. Stop viewing first.`);
    // Nor are the operator pages open while viewing: each request then is written to the viewed
    // tenant's audit log, and their paths name other tenants and the operator's filters.
    if (admin.viewing && need === "operator") {
      c.set("notViewingTenant", true);
      throw new AdminPageError(403, `You are viewing ${admin.viewing.tenantName} read only. Stop viewing to open the operator pages.`);
    }
    const tenantUser = admin.kind === "user" || admin.viewing !== undefined;
    const allowed = need === "operator" ? admin.kind === "operator" : tenantUser && permits(admin, need);
    if (!allowed) throw new AdminPageError(403, need === "operator" ? "This page is for operators." : `Your role does not include the ${need} permission.`);
    await next();
  });
}
