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
export function retryAfterSeconds(res: Response): number | undefined {
  const value = res.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/**
 * Calls fetch and turns a network failure or abort into a retryable ProviderError, so adapters
 * only deal with HTTP answers.
 */
export async function providerFetch(provider: string, input: RequestInfo | URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (err) {
    const aborted = err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError");
    throw new ProviderError(provider, "retryable", aborted ? `${provider}: request timed out` : `${provider}: network error`, {
      cause: err,
    });
  }
}

/**
 * The ProviderError for a non-2xx answer: kind from the HTTP status unless `kind` overrides it,
 * message and code as the provider worded them.
 */
export function httpFailure(
  provider: string,
  res: Response,
  detail: { message?: string; code?: string; kind?: ProviderErrorKind },
): ProviderError {
  return new ProviderError(provider, detail.kind ?? kindForStatus(res.status), `${provider}: ${detail.message || res.statusText || `HTTP ${res.status}`}`, {
    httpStatus: res.status,
    providerCode: detail.code,
    retryAfterSeconds: retryAfterSeconds(res),
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
