import { type ErrorCode, errorCatalog } from "./catalog";

/** One field at fault: `path` is dotted with bracketed indices, e.g. `recipients.to[1]`. */
export interface FieldError {
  path: string;
  message: string;
}

export interface ApiErrorInit {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 extensions), e.g. `retryable` and `service` of an upstream_failed. */
  extensions?: ProblemExtensions;
  cause?: unknown;
}

/** Problem members beyond the standard ones; each is listed in ProblemSchema. */
export interface ProblemExtensions {
  /** Whether sending the same request again later may succeed. */
  retryable?: boolean;
  /** The tenant-configured service that failed. */
  service?: { kind: string; name: string };
}

/**
 * The one error type of the service. Services throw it; the error handler turns it into an
 * RFC 9457 problem document.
 *
 * @example
 * ```ts
 * throw new ApiError("unprocessable", {
 *   detail: "Template references parameters the request does not supply",
 *   errors: [{ path: "params.firstname", message: "is required by the template" }],
 * });
 * ```
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly extensions?: ProblemExtensions;

  constructor(code: ErrorCode, init: ApiErrorInit = {}) {
    super(init.detail ?? errorCatalog[code].title, { cause: init.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = errorCatalog[code].status;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
    this.extensions = init.extensions;
  }
}

/** Shorthand for the common "one field is wrong" case. */
export function fieldError(code: ErrorCode, path: string, message: string, detail?: string): ApiError {
  return new ApiError(code, { detail: detail ?? `${path}: ${message}`, errors: [{ path, message }] });
}
