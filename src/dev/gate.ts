import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";

/**
 * Hides everything under /dev unless DEV_SINK is "true" (npm start sets it; production never
 * does): the sinks accept anything that looks like a provider call, and the inbox shows message
 * content, so without the flag the routes must look as if they did not exist.
 */
export const devSinkOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.env.DEV_SINK !== "true") throw new ApiError("not_found", { detail: `No route matches ${c.req.method} ${c.req.path}` });
  await next();
});
