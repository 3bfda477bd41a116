/**
 * GOV.UK Notify's v2 error shape, `{status_code, errors: [{error, message}]}`, for the routes
 * under `/v2/…` and `/gcnotify/v2/…` only (the rest of the API answers RFC 9457 problems).
 *
 * Services of the v2 API throw NotifyV2Error with Notify's own error names and messages; the
 * error handler answers it as it is. Every other error on those paths (the body guards, the
 * authentication, the rate limiter, a 404 for an unknown path, an unexpected exception) is a
 * problem document first and is translated at the boundary by routes/notify-v2/framework.ts, so
 * no shared middleware has to know about Notify.
 */

/** The error names Notify's clients switch on (`api/app/v2/errors.py`, `api/app/authentication/auth.py`). */
export type NotifyErrorName =
  | "ValidationError"
  | "BadRequestError"
  | "AuthError"
  | "NoResultFound"
  | "RateLimitError"
  | "TooManyRequestsError"
  | "MethodNotAllowed"
  | "InternalServerError"
  | "ServiceUnavailable";

export interface NotifyErrorItem {
  error: NotifyErrorName;
  message: string;
}

export interface NotifyErrorBody {
  status_code: number;
  errors: NotifyErrorItem[];
}

/** At most this many entries in one answer: a body with a thousand unknown keys gets one line for them anyway. */
const MAX_ERRORS = 100;

/**
 * An error of the v2 API in Notify's terms.
 *
 * @example
 * ```ts
 * throw NotifyV2Error.badRequest("Template not found");
 * throw NotifyV2Error.validation(["template_id is a required property", "Additional properties are not allowed (foo was unexpected)"]);
 * throw NotifyV2Error.notFound(); // 404 {"error":"NoResultFound","message":"No result found"}
 * ```
 */
export class NotifyV2Error extends Error {
  readonly status: number;
  readonly errors: NotifyErrorItem[];
  readonly headers: Record<string, string>;

  constructor(status: number, errors: NotifyErrorItem[], headers: Record<string, string> = {}) {
    super(errors[0]?.message ?? "Notify API error");
    this.name = "NotifyV2Error";
    this.status = status;
    // Notify de-duplicates its messages; so do we, keeping their order.
    const seen = new Set<string>();
    this.errors = errors.filter((e) => !seen.has(`${e.error}\u0000${e.message}`) && seen.add(`${e.error}\u0000${e.message}`)).slice(0, MAX_ERRORS);
    this.headers = headers;
  }

  static of(status: number, error: NotifyErrorName, message: string, headers?: Record<string, string>): NotifyV2Error {
    return new NotifyV2Error(status, [{ error, message }], headers);
  }

  /** 400 BadRequestError: Notify's send-time refusals (`Template not found`, `Missing personalisation: a, b`, …). */
  static badRequest(message: string, status = 400): NotifyV2Error {
    return NotifyV2Error.of(status, "BadRequestError", message);
  }

  /** 400 ValidationError listing every schema message, as Notify's `build_error_message` does. */
  static validation(messages: string[]): NotifyV2Error {
    return new NotifyV2Error(400, messages.map((message) => ({ error: "ValidationError", message })));
  }

  /** 404 NoResultFound "No result found": an unknown id, another tenant's, or an unknown path. */
  static notFound(): NotifyV2Error {
    return NotifyV2Error.of(404, "NoResultFound", "No result found");
  }

  body(): NotifyErrorBody {
    return { status_code: this.status, errors: this.errors };
  }

  response(): Response {
    return new Response(JSON.stringify(this.body()), { status: this.status, headers: { "content-type": "application/json", ...this.headers } });
  }
}
