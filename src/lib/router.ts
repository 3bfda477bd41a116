import { OpenAPIHono, type Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors/api-error";
import { zodIssuesToFieldErrors } from "./errors/zod-issues";

export type App = OpenAPIHono<AppEnv>;

/**
 * The one validation hook: every schema failure (body, query, path, headers) becomes a 400
 * problem listing each field at fault.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) {
    const errors = zodIssuesToFieldErrors(result.error, result.target);
    throw new ApiError("invalid_request", {
      detail: `${errors.length} field${errors.length === 1 ? "" : "s"} failed validation`,
      errors,
    });
  }
};

/**
 * The application router. `strict: false` makes `/api/v1/notify/` the same resource as
 * `/api/v1/notify` (one trailing slash is ignored, without a redirect), so a client that appends a
 * slash reaches the route it meant instead of a 404 or a 405 naming the method it used.
 *
 * @example
 * ```ts
 * const app = createApp();
 * app.get("/api/v1/notify", handler); // also answers GET /api/v1/notify/
 * ```
 */
export function createApp(): App {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook, strict: false });
}
