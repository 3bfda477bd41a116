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

/** The route's path parameters by name (`{ tenantId: "…", keyId: "…" }`), in pattern order. */
function paramsOf(pattern: string, path: string): [string, string][] {
  const names = pattern.split("/");
  const values = path.split("/");
  const params: [string, string][] = [];
  names.forEach((name, i) => {
    if (name.startsWith(":") && values[i]) params.push([name.slice(1).replace(/\{.*$/, ""), decodeURIComponent(values[i]!).slice(0, 200)]);
  });
  return params;
}

/** The id of the resource a JSON answer holds (a created key, tenant or callback), if any. */
async function answeredIdOf(res: Response): Promise<string | null> {
  if (!res.headers.get("content-type")?.includes("json")) return null;
  try {
    const body = (await res.clone().json()) as Record<string, unknown>;
    const id = body.id ?? body.callbackId;
    return typeof id === "string" ? id.slice(0, 200) : null;
  } catch {
    // not an object: nothing to name
    return null;
  }
}

/** What the change acted on: the route's last path parameter, else the created resource's id. */
async function targetOf(pattern: string, path: string, res: Response): Promise<string> {
  const params = paramsOf(pattern, path);
  if (params.length > 0) return params[params.length - 1]![1];
  return res.status === 201 ? ((await answeredIdOf(res)) ?? "") : "";
}

/**
 * The tenant an operator API change concerns and what it acted on: the path's `tenantId` (a
 * created tenant's id for `POST /api/v1/tenants`), and the last other path parameter, else the
 * answered resource's id (a created key or inbound number), else the tenant itself.
 */
async function operatorChangeOf(pattern: string, path: string, res: Response): Promise<{ tenantId: string | null; target: string }> {
  const params = paramsOf(pattern, path);
  const answered = await answeredIdOf(res);
  const tenantId = params.find(([name]) => name === "tenantId")?.[1].toLowerCase() ?? (pattern === "/api/v1/tenants" ? answered : null);
  const other = params.filter(([name]) => name !== "tenantId");
  const target = other.length > 0 ? other[other.length - 1]![1] : (answered ?? tenantId ?? "");
  return { tenantId, target };
}

/**
 * Audits the API's own configuration changes at one choke point (issue 13): after a successful
 * (2xx) non-GET tenant request, one audit_log row with actor `key:<id>`, action
 * `<METHOD> <route pattern>` and the path's id as target; after one made with the admin token
 * (the operator API: tenants, their keys and inbound numbers), the same with actor `operator`,
 * written under the tenant it changed. Sends and previews are not changes;
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
  const operator = c.get("operator") === true;
  if (!principal && !operator) return;
  const path = new URL(c.req.url).pathname;
  // The admin UI audits its own changes with the person's name (src/admin).
  if (path.startsWith("/admin/") || NOT_CHANGES.some((re) => re.test(path))) return;
  const pattern = routePatternOf(c);
  if (!pattern) return;
  const action = `${c.req.method.toUpperCase()} ${pattern.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`;
  const detail = { status: c.res.status, requestId: c.get("requestId") };
  try {
    if (principal) {
      const target = await targetOf(pattern, path, c.res);
      await audit({ db: c.get("db"), now: new Date(), actor: `key:${principal.keyId}` }, action, target, detail, { tenantId: principal.tenantId });
    } else {
      // The operator API (admin token): under the tenant it changed, so the tenant's audit log shows it.
      const { tenantId, target } = await operatorChangeOf(pattern, path, c.res);
      await audit({ db: c.get("db"), now: new Date(), actor: "operator" }, action, target, detail, { tenantId });
    }
  } catch (err) {
    log("error", "api change audit write failed", { tenantId: principal?.tenantId, action, error: String(err) });
  }
});
