/**
 * Every error the API can answer, by machine code. The code is part of the contract: it is the
 * last segment of the problem `type` and clients may switch on it.
 */
export const errorCatalog = {
  invalid_json: { status: 400, title: "The request body is not valid JSON" },
  invalid_request: { status: 400, title: "The request does not match the schema" },
  recipient_not_allowed: { status: 400, title: "A recipient is not on the guest list (team key or trial mode)" },
  unauthorized: { status: 401, title: "Authentication is required" },
  forbidden: { status: 403, title: "The credentials were refused" },
  not_found: { status: 404, title: "No such resource" },
  method_not_allowed: { status: 405, title: "Method not allowed on this resource" },
  conflict: { status: 409, title: "The request conflicts with the resource's state" },
  payload_too_large: { status: 413, title: "The request body is too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  misdirected: { status: 421, title: "This tenant is served by another region" },
  unprocessable: { status: 422, title: "The request cannot be processed" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Internal server error" },
  misconfigured: { status: 503, title: "The service is not configured for this operation" },
  unavailable: { status: 503, title: "A part of the service cannot be reached; retry later" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** Relative URI identifying a problem type; `/problems/{code}` documents it. */
export function problemType(code: ErrorCode): string {
  return `/problems/${code}`;
}
