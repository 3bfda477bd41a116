import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";
import type { ErrorCode } from "../lib/errors/catalog";
import { buildProblem, problemResponse } from "../lib/errors/problem";
import { log } from "../lib/log";
import { ReplayedAnswer } from "../services/gate/idempotency-keys";
import { NotifyV2Error } from "../services/notify-v2/errors";

const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "rate_limited",
};

function requestIdOf(c: Context<AppEnv>): string {
  return c.get("requestId") ?? "unknown";
}

/**
 * The one error path. A ReplayedAnswer is the stored answer of an Idempotency-Key; ApiErrors become their problem document; Hono's own HTTPExceptions (JSON
 * parse failures, media type gate) are mapped by status; anything else is a 500 that is logged
 * with the request id and says nothing about internals.
 */
export const errorHandler: ErrorHandler<AppEnv> = (err, c) => {
  // Not an error to the client: the answer its Idempotency-Key already got.
  if (err instanceof ReplayedAnswer) return err.response();
  // The Notify v2 routes' own refusals, already in Notify's shape (services/notify-v2/errors.ts).
  if (err instanceof NotifyV2Error) return err.response();
  const requestId = requestIdOf(c);
  const instance = c.req.path;
  if (err instanceof ApiError) {
    if (err.status >= 500) log("error", "request failed", { requestId, code: err.code, detail: err.detail });
    return problemResponse(
      buildProblem({ code: err.code, detail: err.detail, errors: err.errors, instance, requestId }),
      err.headers,
    );
  }
  if (err instanceof HTTPException) {
    const code: ErrorCode =
      err.status === 400 && /json/i.test(err.message) ? "invalid_json" : (HTTP_EXCEPTION_CODES[err.status] ?? "invalid_request");
    const detail =
      code === "unsupported_media_type"
        ? `Send the body as application/json (got ${c.req.header("content-type") ?? "no Content-Type"})`
        : err.message || undefined;
    return problemResponse(buildProblem({ code, detail, instance, requestId }));
  }
  log("error", "unhandled exception", {
    requestId,
    method: c.req.method,
    path: c.req.path,
    error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
  });
  return problemResponse(
    buildProblem({
      code: "internal_error",
      detail: `An unexpected error occurred; quote request id ${requestId} when reporting it`,
      instance,
      requestId,
    }),
  );
};
