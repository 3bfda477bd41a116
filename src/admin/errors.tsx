import type { Context } from "hono";
import { ApiError } from "../lib/errors/api-error";
import { log } from "../lib/log";
import type { AdminEnv } from "./env";
import { page } from "./layout";

/**
 * An error a handler throws to answer with the admin UI's HTML error page (not problem+json).
 *
 * @example
 * ```ts
 * if (!template) throw new AdminPageError(404);
 * ```
 */
export class AdminPageError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 422 | 429 | 500,
    readonly detail?: string,
  ) {
    super(detail ?? `admin page ${status}`);
  }
}

const TITLES = {
  400: "There is a problem with the request",
  403: "You cannot see this page",
  404: "Page not found",
  409: "This has changed",
  413: "The file or form is too large",
  422: "There is a problem",
  429: "Too many attempts",
  500: "Sorry, there is a problem with the service",
} as const;

/**
 * Answers with an HTML error page. ApiErrors from services keep their status where the UI has a
 * page for it (a 404 from another tenant's id stays a 404), their detail shown as is (services
 * word it for people and it never holds secrets); anything unexpected is a 500 with no detail.
 */
export function renderError(c: Context<AdminEnv>, err: unknown): Response | Promise<Response> {
  let status: keyof typeof TITLES = 500;
  let detail: string | undefined;
  if (err instanceof AdminPageError) {
    status = err.status;
    detail = err.detail;
  } else if (err instanceof ApiError && err.status in TITLES && err.status !== 500) {
    status = err.status as keyof typeof TITLES;
    detail = err.detail;
  } else {
    log("error", "admin page failed", { requestId: c.get("requestId"), error: err instanceof Error ? err : String(err) });
  }
  return page(
    c,
    TITLES[status],
    <>
      <h1 class="heading-l">{TITLES[status]}</h1>
      {detail && <p class="body">{detail}</p>}
      {status === 404 && <p class="body">If you typed the web address, check it is correct.</p>}
      {status === 500 && <p class="body">Try again later. Reference: {c.get("requestId")}</p>}
      <p class="body">
        <a href="/admin">Go to the start page</a>
      </p>
    </>,
    status,
  );
}
