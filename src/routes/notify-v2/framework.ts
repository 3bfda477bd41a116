import { type Hook, type RouteConfig, type RouteHandler, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../lib/app-env";
import { PROBLEM_CONTENT_TYPE, type Problem } from "../../lib/errors/problem";
import type { App } from "../../lib/router";
import { type NotifyErrorItem, NotifyV2Error } from "../../services/notify-v2/errors";

/**
 * The Notify v2 framework: the other half is services/notify-v2/errors.ts (NotifyV2Error).
 *
 * Why it is built this way: a Notify client switches on `status_code` and each error's `error`
 * name, so everything answered under `/v2/…` and `/gcnotify/v2/…` must have Notify's shape, even
 * what is refused before any v2 code runs (the body-size and JSON guards, the authentication, the
 * router's 404). Rather than teach every shared middleware about Notify, one middleware on those
 * two prefixes (notifyV2Errors, mounted in app.ts before the guards) rewrites the problem
 * document any of them answers into Notify's envelope, keeping the response's headers
 * (Retry-After, RateLimit-*, X-Request-Id). The v2 routes themselves throw NotifyV2Error with
 * Notify's exact words, which the error handler answers as it is; their schemas fail through
 * notifyV2Hook, which words each failure as Notify's jsonschema validation does.
 *
 * For a new v2 route: `createRoute({ method, path: "/v2/…", ...tenantAccess("read"), request,
 * responses: { 200: …, ...notifyErrorResponses(400, 403, 404) } })`, then
 * `registerV2(app, route, handler)`. The route is served at `/v2/…` and `/gcnotify/v2/…` by the
 * same handler, and documented under both tags.
 */

/** The tag of the `/v2/…` routes in the OpenAPI document. */
export const NOTIFY_V2_TAG = "GOV.UK Notify v2";
/** The tag of the same routes at GC Notify's `/gcnotify/v2/…` paths (and GC Notify's bulk send). */
export const GC_NOTIFY_TAG = "GC Notify";
/** Every path prefix the Notify error shape applies to. */
export const NOTIFY_V2_PREFIXES = ["/v2", "/gcnotify/v2"] as const;

/** A v2 route's handler: the validated request as createRoute types it, any Response back. */
export type V2Handler<R extends RouteConfig> = (c: Parameters<RouteHandler<R, AppEnv>>[0]) => Response | Promise<Response>;

/**
 * Registers a v2 route twice: as written (`/v2/…`) and at GC Notify's `/gcnotify/v2/…`, with one
 * handler and Notify-worded validation errors. A path already under `/gcnotify/` (GC Notify's own
 * bulk send) is registered once, under the GC Notify tag.
 *
 * @example
 * ```ts
 * const route = createRoute({ method: "get", path: "/v2/notifications/{id}", ...tenantAccess("read"), request, responses });
 * export function registerV2GetNotification(app: App): void {
 *   registerV2(app, route, async (c) => c.json(await getV2Notification(serviceContext(c), c.req.valid("param").id), 200));
 * }
 * ```
 */
export function registerV2<R extends RouteConfig>(app: App, route: R, v2Handler: V2Handler<R>): void {
  // Notify's bodies are written from its own models, not the route's response schema: any Response will do.
  const handler = v2Handler as unknown as RouteHandler<R, AppEnv>;
  if (route.path.startsWith("/gcnotify/")) {
    app.openapi({ ...route, tags: [GC_NOTIFY_TAG] }, handler, notifyV2Hook);
    return;
  }
  if (!route.path.startsWith("/v2/")) throw new Error(`registerV2: ${route.path} is not a /v2/ path`);
  app.openapi({ ...route, tags: [NOTIFY_V2_TAG] }, handler, notifyV2Hook);
  const gc = { ...route, path: `/gcnotify${route.path}`, tags: [GC_NOTIFY_TAG], ...(route.operationId ? { operationId: `gc_${route.operationId}` } : {}) } as R;
  app.openapi(gc, handler, notifyV2Hook);
}

/** Notify's error envelope, for the OpenAPI document. */
export const NotifyErrorSchema = z
  .object({
    status_code: z.number().int().openapi({ example: 400 }),
    errors: z
      .array(
        z.object({
          error: z.string().openapi({ example: "ValidationError", description: "ValidationError, BadRequestError, AuthError, NoResultFound, RateLimitError, TooManyRequestsError, …" }),
          message: z.string().openapi({ example: "template_id is a required property" }),
        }),
      )
      .openapi({ description: "Every problem found, each once" }),
  })
  .openapi("NotifyError");

const STATUS_TEXT: Record<number, string> = {
  400: "ValidationError or BadRequestError (invalid JSON: `Invalid JSON supplied in POST data`)",
  401: "AuthError: no credentials",
  403: "AuthError: credentials refused",
  404: "NoResultFound: `No result found`",
  413: "BadRequestError: the body is too large",
  429: "RateLimitError (per minute) or TooManyRequestsError (daily); `Retry-After` and `RateLimit` headers",
  500: "Internal server error",
};

/**
 * OpenAPI response entries in Notify's error shape, to spread into a v2 `createRoute`.
 *
 * @example
 * ```ts
 * responses: { 200: { … }, ...notifyErrorResponses(400, 403, 404) }
 * ```
 */
export function notifyErrorResponses<S extends number>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof NotifyErrorSchema } } }>;
  for (const status of statuses) out[status] = { description: STATUS_TEXT[status] ?? "Error", content: { "application/json": { schema: NotifyErrorSchema } } };
  return out;
}

type Issue = z.core.$ZodIssue;

/** Longest list or object shown whole in a message: a refused 15 MB array is not echoed back. */
const MAX_SHOWN_JSON = 200;

/** A value as jsonschema's messages show it once Notify has stripped the single quotes. */
function shown(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN_JSON ? `${text.slice(0, MAX_SHOWN_JSON)}…` : text;
}

const TYPE_NAMES: Record<string, string> = { record: "object", object: "object", string: "string", array: "array", number: "number", int: "integer", boolean: "boolean" };

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function issueMessages(issue: Issue, data: unknown, base: PropertyKey[] = []): string[] {
  const path = [...base, ...issue.path];
  const prefix = path.length > 0 ? `${String(path[0])} ` : "";
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    // The branch that got furthest (fewest problems) is the one the caller meant.
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
    return best.flatMap((inner) => issueMessages(inner as Issue, data, path));
  }
  if (issue.code === "invalid_key") {
    // A record's key refused (personalisation's are at most 256 characters): named as a key, not "Invalid key in record".
    const key = String(issue.input ?? path.at(-1));
    const fault = issue.issues.some((inner) => inner.code === "too_big") ? "is too long" : "is not valid";
    return [`${prefix}key ${key.length > MAX_SHOWN_JSON ? `${key.slice(0, MAX_SHOWN_JSON)}…` : key} ${fault}`];
  }
  if (issue.code === "unrecognized_keys") {
    return [`${prefix}Additional properties are not allowed (${issue.keys.join(", ")} ${issue.keys.length === 1 ? "was" : "were"} unexpected)`];
  }
  const value = valueAt(data, path);
  if (issue.code === "invalid_type") {
    if (value === undefined && path.length > 0) {
      const parent = path.slice(0, -1);
      return [`${parent.length > 0 ? `${String(parent[0])} ` : ""}${String(path.at(-1))} is a required property`];
    }
    return [`${prefix}${shown(value)} is not of type ${TYPE_NAMES[issue.expected] ?? issue.expected}`];
  }
  if (issue.code === "too_big") {
    if (issue.origin === "string" || issue.origin === "array") return [`${prefix}${shown(value)} is too long`];
    return [`${prefix}${shown(value)} is greater than the maximum of ${String(issue.maximum)}`];
  }
  if (issue.code === "too_small") {
    if (issue.origin === "string" || issue.origin === "array") return [`${prefix}${shown(value)} is too short`];
    return [`${prefix}${shown(value)} is less than the minimum of ${String(issue.minimum)}`];
  }
  if (issue.code === "invalid_value") return [`${prefix}${shown(value)} is not one of [${issue.values.map(shown).join(", ")}]`];
  // Formats and refinements carry Notify's validationMessage ("is not a valid UUID", "Not a valid email address").
  return [`${prefix}${issue.message}`];
}

/**
 * Notify's messages for a failed schema, as `api/app/schema_validation::build_error_message`
 * words them: the first element of the field's path, then jsonschema's message without quotes
 * (`template_id is a required property`, `reference … is too long`,
 * `Additional properties are not allowed (foo was unexpected)`), or the schema's own message for
 * formats (`template_id is not a valid UUID`). Every failure is listed, each once.
 *
 * @example
 * ```ts
 * notifyValidationMessages(result.error.issues, { template_id: "x", foo: 1 })
 * // ["template_id is not a valid UUID", "Additional properties are not allowed (foo was unexpected)"]
 * ```
 */
export function notifyValidationMessages(issues: readonly Issue[], data: unknown): string[] {
  return [...new Set(issues.flatMap((issue) => issueMessages(issue, data)))];
}

/** The validation hook of every v2 route (registerV2 passes it): 400 ValidationError in Notify's words. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const notifyV2Hook: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) throw NotifyV2Error.validation(notifyValidationMessages(result.error.issues, (result as { data?: unknown }).data));
};

/** Our refusal wording → Notify's (`api/app/authentication/auth.py`), first match wins; others keep ours. */
const AUTH_MESSAGES: [RegExp, string][] = [
  [/^Unauthorized: authentication token must be provided/, "Unauthorized: authentication token must be provided"],
  [/^Unauthorized: use /, "Unauthorized: authentication bearer scheme must be used"],
  [/^Error: Your system clock must be accurate to within 30 seconds/, "Error: Your system clock must be accurate to within 30 seconds"],
  [/^Invalid token: algorithm used is not HS256/, "Invalid token: algorithm used is not HS256"],
  [/^Invalid token: iss field not provided/, "Invalid token: iss field not provided"],
  [/^Invalid token: iss must be/, "Invalid token: service id is not the right data type"],
  [/^Invalid token: tenant not found/, "Invalid token: service not found"],
  [/^Invalid token: tenant has no API keys/, "Invalid token: service has no API keys"],
  [/^Invalid token: signature does not match/, "Invalid token: API key not found"],
  [/^Invalid token: (not a JWT|the JWT header|the JWT payload|signature cannot be verified)/, "Invalid token: make sure your API token matches the example at https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"],
];

function authMessage(detail: string | undefined, status: number): string {
  const text = detail ?? (status === 401 ? "Unauthorized: authentication token must be provided" : "Invalid token");
  return AUTH_MESSAGES.find(([pattern]) => pattern.test(text))?.[1] ?? text;
}

/** The team-key and trial-mode refusals in Notify's words (its curly apostrophe and en dash). */
export const TEAM_KEY_MESSAGE = "Can’t send to this recipient using a team-only API key";
export const TRIAL_MODE_MESSAGE = "Can’t send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode";

function rateLimitItem(detail: string | undefined): NotifyErrorItem {
  const text = detail ?? "Exceeded rate limit";
  if (text.startsWith("Exceeded rate limit")) return { error: "RateLimitError", message: text };
  // "Exceeded send limits (sms: 250000) for today; …" → Notify's sentence, without our explanation.
  return { error: "TooManyRequestsError", message: text.replace(/ for today;.*$/, " for today") };
}

/**
 * A problem document answered on a v2 path, in Notify's envelope: invalid JSON → BadRequestError
 * "Invalid JSON supplied in POST data", schema failures → ValidationError, 401/403 →
 * AuthError, 404 → NoResultFound, 429 → RateLimitError/TooManyRequestsError, a 422 of the send
 * path → 400 BadRequestError, 500 → "Internal server error".
 */
export function fromProblem(problem: Problem): NotifyV2Error {
  const { status, code, detail } = problem;
  const fieldMessages = (problem.errors ?? []).map((e) => (e.path.startsWith("(") ? e.message : `${e.path} ${e.message}`));
  switch (code) {
    case "invalid_json":
      return NotifyV2Error.badRequest("Invalid JSON supplied in POST data");
    case "invalid_request":
      return fieldMessages.length > 0 && problem.errors!.every((e) => !e.path.startsWith("(")) ? NotifyV2Error.validation(fieldMessages) : NotifyV2Error.badRequest(detail ?? fieldMessages[0] ?? "Bad request");
    case "recipient_not_allowed":
      return NotifyV2Error.badRequest(/team key/i.test(detail ?? "") ? TEAM_KEY_MESSAGE : TRIAL_MODE_MESSAGE);
    case "unauthorized":
    case "forbidden":
      return NotifyV2Error.of(status, "AuthError", authMessage(detail, status));
    case "not_found":
      return NotifyV2Error.notFound();
    case "misdirected":
      // Another region's tenant (README "Regions"): Notify has no such error; its AuthError name
      // (clients treat it as a credential problem to fix) with our sentence naming the base URL.
      return NotifyV2Error.of(421, "AuthError", detail ?? problem.title);
    case "method_not_allowed":
      return NotifyV2Error.of(405, "MethodNotAllowed", detail ?? "The method is not allowed for the requested URL.");
    case "rate_limited":
      return new NotifyV2Error(429, [rateLimitItem(detail)]);
    case "unprocessable":
      return NotifyV2Error.badRequest(detail ?? fieldMessages.join("; "));
    default:
      if (status >= 500) {
        const name = status === 503 ? "ServiceUnavailable" : "InternalServerError";
        return NotifyV2Error.of(status, name, status === 503 && detail ? detail : "Internal server error");
      }
      // 409 (an Idempotency-Key in use), 413, 415: Notify has no word for these; its general one, our reason.
      return NotifyV2Error.badRequest(detail ?? problem.title, status);
  }
}

/**
 * Mounted on `/v2/*` and `/gcnotify/v2/*` before the guards: whatever answered a problem
 * document there (guards, auth, limits, the 404 and 405 of the router, a 500) is answered in
 * Notify's envelope instead, with the original response's headers.
 */
export const notifyV2Errors = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.res.headers.get("content-type")?.startsWith(PROBLEM_CONTENT_TYPE)) return;
  let problem: Problem;
  try {
    problem = (await c.res.clone().json()) as Problem;
  } catch {
    return;
  }
  // The setter keeps the problem's headers (Retry-After, RateLimit-*, Allow, X-Request-Id) but its content type.
  c.res = fromProblem(problem).response();
});

/**
 * Mounts the translation: call in app.ts right after the request-context middleware, so it sees
 * the guards' refusals too.
 *
 * @example
 * ```ts
 * app.use("*", requestContext);
 * registerNotifyV2Errors(app);
 * app.use("*", requestBodyLimit);
 * ```
 */
export function registerNotifyV2Errors(app: App): void {
  for (const prefix of NOTIFY_V2_PREFIXES) {
    app.use(`${prefix}/*`, notifyV2Errors);
  }
}
