import { idempotencyKey, idempotencyKeyAtAdmission } from "./idempotency-key";
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { ApiKeyPermission } from "../db/schema";
import type { AppEnv } from "../lib/app-env";
import { timingSafeEqualString } from "../lib/crypto/hash";
import { ApiError } from "../lib/errors/api-error";
import { tenantSecurityFor } from "../lib/security";
import { authenticate } from "../services/auth/authenticate";

/** Tenant routes: resolves the caller to a tenant and key (see services/auth/authenticate.ts). */
export const requireTenant = createMiddleware<AppEnv>(async (c, next) => {
  const url = new URL(c.req.url);
  const tenant = await authenticate(
    {
      authorization: c.req.header("authorization"),
      apiKey: c.req.header("x-api-key"),
      method: c.req.method,
      path: url.pathname,
      search: url.search,
      rawBody: () => c.req.text(),
    },
    { db: c.get("db"), encryptionKey: c.env.API_KEY_ENCRYPTION_KEY, regions: c.env, defer: afterResponse(c) },
  );
  c.set("tenant", tenant);
  await next();
});

/**
 * Work to finish after the response (the key's last use, services/auth/key-use.ts), or undefined
 * where the request has no execution context (Hono's app.request in a test), so nothing is
 * recorded rather than the request failing.
 */
function afterResponse(c: Context<AppEnv>): ((work: Promise<unknown>) => void) | undefined {
  let ctx: Context<AppEnv>["executionCtx"];
  try {
    ctx = c.executionCtx;
  } catch {
    return undefined;
  }
  return (work) => ctx.waitUntil(work);
}

/**
 * Whether a key (or an admin UI session, admin/session.ts) may do what `permission` allows: the
 * one rule both the API and the admin UI check.
 *
 * @example
 * ```ts
 * permits({ permissions: ["read", "send"] }, "manage") // false
 * ```
 */
export function permits(who: { permissions: readonly ApiKeyPermission[] }, permission: ApiKeyPermission): boolean {
  return who.permissions.includes(permission);
}

/**
 * Tenant routes: refuses a key without `permission` (403 naming it). Runs after requireTenant and
 * before body validation, so a key that may not change something learns nothing about the schema.
 *
 * @example
 * ```ts
 * createRoute({ method: "patch", path: "/api/v1/tenant/defaults", middleware: [requireTenant, requirePermission("manage")] as const, … })
 * ```
 */
export function requirePermission(permission: ApiKeyPermission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!permits(c.get("tenant"), permission)) {
      throw new ApiError("forbidden", { detail: `This API key lacks the \`${permission}\` permission` });
    }
    await next();
  });
}

/**
 * The security, middleware and documentation of a tenant route that needs `permission`, to spread
 * into createRoute. OpenAPI 3.1 lets a non-OAuth security requirement list the roles it needs, so
 * the permission shows in the document's `security` and again as `x-permission`.
 *
 * @example
 * ```ts
 * const route = createRoute({ method: "get", path: "/api/v1/templates", ...tenantAccess("read"), responses });
 * ```
 */
export function tenantAccess<P extends ApiKeyPermission>(permission: P, options: { keyAtAdmission?: boolean } = {}) {
  return {
    security: tenantSecurityFor(permission),
    "x-permission": permission,
    // A POST with an Idempotency-Key runs at most once per key (middleware/idempotency-key.ts);
    // sends decide the key in their admission call (`keyAtAdmission`).
    middleware: [requireTenant, requirePermission(permission), options.keyAtAdmission ? idempotencyKeyAtAdmission : idempotencyKey] as MiddlewareHandler<AppEnv>[],
  };
}

/** Operator routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) {
    throw new ApiError("misconfigured", { detail: "ADMIN_TOKEN is not set; the operator API is disabled" });
  }
  const header = c.req.header("authorization")?.trim() ?? "";
  const match = /^bearer\s+(.+)$/i.exec(header);
  if (!match) {
    throw new ApiError("unauthorized", {
      detail: "Unauthorized: operator routes need `Authorization: Bearer <ADMIN_TOKEN>`",
      headers: { "WWW-Authenticate": 'Bearer realm="operator"' },
    });
  }
  if (!timingSafeEqualString(match[1]!.trim(), expected)) throw new ApiError("forbidden", { detail: "Invalid admin token" });
  // middleware/audit-api.ts audits the operator's changes by this.
  c.set("operator", true);
  await next();
});
