import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { timingSafeEqualString } from "../lib/crypto/hash";
import { ApiError } from "../lib/errors/api-error";
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
    { db: c.get("db"), encryptionKey: c.env.API_KEY_ENCRYPTION_KEY },
  );
  c.set("tenant", tenant);
  await next();
});

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
  await next();
});
