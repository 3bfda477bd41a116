import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv, TenantPrincipal } from "../lib/app-env";
import { log } from "../lib/log";
import { audit } from "../services/admin-identity/audit";

/** Sends and previews: they change no configuration, and a send is already its own record. */
const NOT_CHANGES = [/^\/api\/v1\/notifysimple(\/|$)/, /^\/api\/v1\/notifyevent$/, /^(\/gcnotify)?\/v2\/notifications(\/|$)/, /^\/notifications(\/|$)/, /\/preview$/];
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The pattern of the route that answered, in the OpenAPI document's form (`/api/v1/templates/{templateId}`). */
function routePatternOf(c: Context<AppEnv>): string | null {
  const method = c.req.method.toUpperCase();
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method === method && !r.path.includes("*")) return r.path;
  }
  return null;
}

/** What the change acted on: the route's last path parameter, else the created resource's id. */
async function targetOf(pattern: string, path: string, res: Response): Promise<string> {
  const names = pattern.split("/");
  const values = path.split("/");
  for (let i = names.length - 1; i >= 0; i--) {
    if (names[i]!.startsWith(":") && values[i]) return decodeURIComponent(values[i]!).slice(0, 200);
  }
  if (res.status === 201 && res.headers.get("content-type")?.includes("json")) {
    try {
      const body = (await res.clone().json()) as Record<string, unknown>;
      const id = body.id ?? body.callbackId;
      if (typeof id === "string") return id.slice(0, 200);
    } catch {
      // not an object: nothing to name
    }
  }
  return "";
}

/**
 * Audits the API's own configuration changes at one choke point (issue 13): after a successful
 * (2xx) non-GET tenant request, one audit_log row with actor `key:<id>`, action
 * `<METHOD> <route pattern>` and the path's id as target. Sends and previews are not changes;
 * an Idempotency-Key replay ran nothing, so it is not audited again. A failed audit write is
 * logged, never turned into an error: the change has happened and a retry would repeat it.
 *
 * @example
 * ```ts
 * app.use("*", auditApiChanges); // before the routes
 * ```
 */
export const auditApiChanges = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (READS.has(c.req.method.toUpperCase()) || c.res.status < 200 || c.res.status >= 300) return;
  if (c.res.headers.get("idempotent-replayed") === "true") return;
  const principal = c.get("tenant") as TenantPrincipal | undefined;
  if (!principal) return;
  const path = new URL(c.req.url).pathname;
  // The admin UI audits its own changes with the person's name (src/admin).
  if (path.startsWith("/admin/") || NOT_CHANGES.some((re) => re.test(path))) return;
  const pattern = routePatternOf(c);
  if (!pattern) return;
  const action = `${c.req.method.toUpperCase()} ${pattern.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`;
  try {
    const target = await targetOf(pattern, path, c.res);
    await audit({ db: c.get("db"), now: new Date(), actor: `key:${principal.keyId}` }, action, target, { status: c.res.status, requestId: c.get("requestId") }, { tenantId: principal.tenantId });
  } catch (err) {
    log("error", "api change audit write failed", { tenantId: principal.tenantId, action, error: String(err) });
  }
});
