import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import type { AppEnv } from "../lib/app-env";
import { newRequestId } from "../lib/ids";

/** Longest correlation id we store and echo; longer ones are replaced rather than truncated. */
const MAX_CORRELATION_ID = 128;
const CORRELATION_ID_PATTERN = /^[\x21-\x7e]+$/;

/**
 * Gives every request a request id and a correlation id (the caller's `X-Correlation-Id` when it
 * is a sane token, a new one otherwise), echoes both on the response, and opens the db handle.
 * It runs first so that even errors raised by later middleware carry the ids.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newRequestId();
  const given = c.req.header("x-correlation-id")?.trim();
  const correlationId =
    given && given.length <= MAX_CORRELATION_ID && CORRELATION_ID_PATTERN.test(given) ? given : crypto.randomUUID();
  c.set("requestId", requestId);
  c.set("correlationId", correlationId);
  c.set("db", createDb(c.env.DB));
  await next();
  // Set after next(): responses built by handlers and by the error handler both get them.
  // Responses passed through from a fetch (assets) have immutable headers, hence the copy.
  if (!trySetIds(c.res.headers, requestId, correlationId)) {
    c.res = new Response(c.res.body, c.res);
    trySetIds(c.res.headers, requestId, correlationId);
  }
});

function trySetIds(headers: Headers, requestId: string, correlationId: string): boolean {
  try {
    headers.set("X-Request-Id", requestId);
    headers.set("X-Correlation-Id", correlationId);
    return true;
  } catch {
    return false;
  }
}
