import type { NotFoundHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";
import { errorHandler } from "./error-handler";

interface CompiledRoute {
  method: string;
  pattern: RegExp;
}

function compile(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * Answers unmatched requests: 405 with `Allow` when the path exists under other methods, 404
 * otherwise. The route table is read lazily, once, after every route has been registered.
 */
export function notFoundHandler(app: { routes: ReadonlyArray<{ method: string; path: string }> }): NotFoundHandler<AppEnv> {
  let routes: CompiledRoute[] | undefined;
  return (c) => {
    routes ??= app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({ method: r.method.toUpperCase(), pattern: compile(r.path) }));
    const path = c.req.path;
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (allowed.has("GET")) allowed.add("HEAD");
    // A 405 that lists the very method used would contradict itself (the pattern here is looser
    // than the router's), so that case is a plain 404.
    if (allowed.size > 0 && !allowed.has(c.req.method.toUpperCase())) {
      const allow = [...allowed].sort().join(", ");
      return errorHandler(
        new ApiError("method_not_allowed", {
          detail: `${c.req.method} is not supported on ${path}; use ${allow}`,
          headers: { Allow: allow },
        }),
        c,
      );
    }
    // Returned, not thrown: a throw here would skip the request-context middleware's epilogue.
    return errorHandler(new ApiError("not_found", { detail: `No route matches ${c.req.method} ${path}` }), c);
  };
}
