import { ProviderError, type ProviderErrorKind } from "./types";

/**
 * Shared mapping of an HTTP answer to a ProviderError kind, for adapters whose provider uses
 * plain HTTP semantics: 429 and 5xx are retryable, 401/403 mean our credentials are wrong,
 * other 4xx mean the message itself was refused.
 */
export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 429 || status === 408 || status >= 500) return "retryable";
  if (status === 401 || status === 403) return "configuration";
  return "permanent";
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), if present and sane. */
export function retryAfterSeconds(res: { headers: Headers }): number | undefined {
  const value = res.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/**
 * Calls fetch and turns a failure without an answer into a ProviderError, so adapters only deal
 * with HTTP answers. Not reaching the provider is retryable. A timeout once the request is under
 * way is `unknown` (the provider may have accepted it), unless the adapter says the provider
 * de-duplicates requests (an idempotency key), which makes asking it again safe: `retryable`,
 * marked `mayHaveAccepted` so that it is asked again rather than another provider.
 *
 * @example
 * ```ts
 * const res = await providerFetch("resend", url, { method: "POST", body, signal }, { idempotent: true });
 * ```
 */
export async function providerFetch(
  provider: string,
  input: RequestInfo | URL,
  init: RequestInit,
  options: { idempotent?: boolean } = {},
): Promise<Response> {
  if (init.signal?.aborted) {
    throw new ProviderError(provider, "retryable", `${provider}: no time left to send; not sent`, { cause: init.signal.reason });
  }
  try {
    return await fetch(input, init);
  } catch (err) {
    const aborted = err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
    if (!aborted) throw new ProviderError(provider, "retryable", `${provider}: network error`, { cause: err });
    if (options.idempotent) throw new ProviderError(provider, "retryable", `${provider}: request timed out`, { mayHaveAccepted: true, cause: err });
    throw new ProviderError(provider, "unknown", `${provider}: request timed out; the provider may have accepted it`, { cause: err });
  }
}

/**
 * The ProviderError for a non-2xx answer: kind from the HTTP status unless `kind` overrides it,
 * message and code as the provider worded them.
 */
export function httpFailure(
  provider: string,
  res: { status: number; statusText?: string; headers: Headers },
  detail: { message?: string; code?: string; kind?: ProviderErrorKind; mayHaveAccepted?: boolean },
): ProviderError {
  return new ProviderError(provider, detail.kind ?? kindForStatus(res.status), `${provider}: ${detail.message || res.statusText || `HTTP ${res.status}`}`, {
    httpStatus: res.status,
    providerCode: detail.code,
    retryAfterSeconds: retryAfterSeconds(res),
    ...(detail.mayHaveAccepted ? { mayHaveAccepted: true } : {}),
  });
}

/** Reads a JSON error body, tolerating providers that answer errors in text or HTML. */
export async function errorBody<T>(res: Response): Promise<Partial<T> & { text?: string }> {
  const text = await res.text().catch(() => "");
  try {
    return JSON.parse(text) as Partial<T>;
  } catch {
    return { text: text.slice(0, 200) } as Partial<T> & { text?: string };
  }
}
