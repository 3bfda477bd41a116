import { createMiddleware } from "hono/factory";
import type { AdminEnv } from "./env";
import { AdminPageError } from "./errors";

/**
 * Reads every admin form body once, before any handler, so a body that is not the form it
 * claims to be (multipart without a boundary, cut short, a broken encoding) is the UI's 400
 * page rather than a parser's TypeError escaping as a 500. Hono keeps the parsed form, so the
 * handlers' own `c.req.parseBody()` reads it from there. Runs after the body limit, which has
 * already taken the whole body, so what fails here is the body's shape, never its size.
 *
 * @example
 * ```ts
 * admin.use("*", securityHeaders, csrfGuard, adminBodyLimit, readFormBody, loadAdmin);
 * ```
 */
export const readFormBody = createMiddleware<AdminEnv>(async (c, next) => {
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.raw.body) {
    try {
      await c.req.formData();
    } catch {
      throw new AdminPageError(400, "The form sent could not be read. Go back to the page and send it again.");
    }
  }
  await next();
});
