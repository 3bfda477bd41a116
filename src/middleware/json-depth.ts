import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";
import { MAX_BODY_DEPTH, jsonTextDepth } from "../lib/json-bounds";

/**
 * Refuses a JSON body nested deeper than MAX_BODY_DEPTH before anything parses or walks it. The
 * scan reads the text once (Hono caches it, so the route's validator reads the same bytes again
 * without another read of the stream) and needs no recursion, so no body can overflow a stack.
 */
export const jsonDepthLimit = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && /json/i.test(type)) {
    const text = await c.req.text();
    // Handlers that read the raw Request (the dev sinks, signature checks) get the bytes again.
    c.req.raw = new Request(c.req.raw, { body: text });
    const depth = jsonTextDepth(text, MAX_BODY_DEPTH);
    if (depth > MAX_BODY_DEPTH) {
      throw new ApiError("invalid_request", {
        detail: `JSON bodies may be nested at most ${MAX_BODY_DEPTH} levels deep`,
        errors: [{ path: "(body)", message: `Nested more than ${MAX_BODY_DEPTH} levels deep` }],
      });
    }
  }
  await next();
});
