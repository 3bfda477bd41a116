import { retryAfterSeconds } from "../../channels/http-errors";
import type { Env } from "../../env";
import { OutboundError, type OutboundResponse, outboundFetch } from "../../lib/outbound/fetch";
import { outboundPolicy } from "../../lib/outbound/url-policy";
import { SERVICE_LIMITS } from "./config";
import type { CallableService } from "./tenant-services";

/**
 * A service call that produced nothing usable. `retryable` says whether asking again later may
 * help: no answer (network, timeout), 5xx, 408 and 429 may; a refused URL, a redirect, any other
 * 4xx and an answer that is too large or not what was asked for will not until the tenant fixes
 * the service. The message never carries the answer's body, only its status.
 */
export class ServiceCallError extends Error {
  readonly retryable: boolean;
  readonly httpStatus?: number;
  readonly retryAfterSeconds?: number;
  /** `url_refused`, `unreachable`, `timeout`, `redirected`, `http_error`, `too_large`, `malformed`, `not_found`, `misconfigured`, `rejected_document`. */
  readonly reason: string;
  readonly service: { kind: string; name: string };

  constructor(service: { kind: string; name: string }, reason: string, message: string, init: { retryable: boolean; httpStatus?: number; retryAfterSeconds?: number }) {
    super(message);
    this.name = "ServiceCallError";
    this.service = service;
    this.reason = reason;
    this.retryable = init.retryable;
    this.httpStatus = init.httpStatus;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** "attachment service "invoice": HTTP 503 (temporary: a retry may help)". */
  get summary(): string {
    return `${this.service.kind} service "${this.service.name}": ${this.message} (${this.retryable ? "temporary: a retry may help" : "permanent: the service or its configuration must be fixed"})`;
  }
}

/** A ServiceCallError for `service`. */
export function serviceFailure(service: CallableService | { row: { kind: string; name: string } }, reason: string, message: string, init: { retryable: boolean; httpStatus?: number; retryAfterSeconds?: number }) {
  return new ServiceCallError({ kind: service.row.kind, name: service.row.name }, reason, message, init);
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * POSTs `body` as JSON to a tenant's service through the outbound-URL policy (no redirects, the
 * service's timeout, at most `maxBytes` of the answer) with its auth header. Answers a 2xx
 * response whose body was read whole; everything else is a ServiceCallError.
 */
export async function callService(env: Env, service: CallableService, body: unknown, options: { maxBytes: number; accept: string; signal?: AbortSignal }): Promise<OutboundResponse> {
  const timeoutMs = Math.min(service.config.timeoutMs ?? SERVICE_LIMITS.defaultTimeoutMs, SERVICE_LIMITS.maxTimeoutMs);
  // One byte over the limit tells "exactly the limit" from "more than the limit".
  const policy = outboundPolicy(env, { timeoutMs, maxResponseBytes: options.maxBytes + 1 });
  const headers: Record<string, string> = { "content-type": "application/json", accept: options.accept };
  if (service.authHeader) headers[service.authHeader.name] = service.authHeader.value;
  let res: OutboundResponse;
  try {
    res = await outboundFetch(service.row.url, { method: "POST", headers, body: JSON.stringify(body), signal: options.signal }, policy);
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    switch (err.failure) {
      case "refused":
        throw serviceFailure(service, "url_refused", `its URL is refused: ${err.message}`, { retryable: false });
      case "redirected":
        throw serviceFailure(service, "redirected", err.message, { retryable: false, httpStatus: err.status });
      case "timeout":
        throw serviceFailure(service, "timeout", `no answer within ${timeoutMs} ms`, { retryable: true });
      case "network":
      case "not_sent":
        throw serviceFailure(service, "unreachable", "could not be reached", { retryable: true });
    }
    throw err;
  }
  if (!res.ok) {
    const retryable = isRetryableStatus(res.status);
    throw serviceFailure(service, "http_error", `HTTP ${res.status}`, {
      retryable,
      httpStatus: res.status,
      ...(retryable ? { retryAfterSeconds: retryAfterSeconds(res) } : {}),
    });
  }
  if (res.bytes.byteLength > options.maxBytes) {
    throw serviceFailure(service, "too_large", `the answer is larger than ${options.maxBytes} bytes`, { retryable: false, httpStatus: res.status });
  }
  if (res.truncated) {
    // Under the limit but cut short: the deadline or the connection ended it mid-way.
    throw serviceFailure(service, "timeout", `the answer broke off before it was complete (within ${timeoutMs} ms)`, { retryable: true, httpStatus: res.status });
  }
  return res;
}
