import { type ErrorCode, errorCatalog } from "./catalog";

/** One field at fault: `path` is dotted with bracketed indices, e.g. `recipients.to[1]`. */
export interface FieldError {
  path: string;
  message: string;
  /** Mail merge row errors: the data row (1-based) and the header's name of the column (null: the row as a whole). */
  row?: number;
  column?: string | null;
}

export interface ApiErrorInit {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
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

  constructor(code: ErrorCode, init: ApiErrorInit = {}) {
    super(init.detail ?? errorCatalog[code].title, { cause: init.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = errorCatalog[code].status;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
  }
}

/** Shorthand for the common "one field is wrong" case. */
export function fieldError(code: ErrorCode, path: string, message: string, detail?: string): ApiError {
  return new ApiError(code, { detail: detail ?? `${path}: ${message}`, errors: [{ path, message }] });
}
