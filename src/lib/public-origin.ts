import type { Env } from "../env";
import { ApiError } from "./errors/api-error";

/**
 * The origin absolute URLs are built on (`statusUrl`, `Location`, the OpenAPI `servers`).
 * With PUBLIC_ORIGIN set, it is that origin whatever `Host` the request carried: the Host header
 * is the caller's to choose, so a URL built from it can point a client (or anyone it forwards the
 * answer to) at a host of the caller's choosing. Without it (local development) the request's own
 * origin is used. A PUBLIC_ORIGIN that is not an http(s) URL is a configuration error (503), not a
 * silent fall back to the Host header.
 *
 * @example
 * ```ts
 * publicOrigin({ env: { PUBLIC_ORIGIN: "https://notify.example.gov/" }, req: { url: "http://evil.test/x" } })
 * // "https://notify.example.gov"
 * publicOrigin({ env: {}, req: { url: "http://127.0.0.1:8787/api/v1/notifysimple" } }) // "http://127.0.0.1:8787"
 * ```
 */
export function publicOrigin(c: { env: Pick<Env, "PUBLIC_ORIGIN">; req: { url: string } }): string {
  const configured = c.env.PUBLIC_ORIGIN?.trim();
  if (!configured) return new URL(c.req.url).origin;
  const url = URL.canParse(configured) ? new URL(configured) : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new ApiError("misconfigured", { detail: "PUBLIC_ORIGIN is not an http(s) origin" });
  }
  return url.origin;
}
