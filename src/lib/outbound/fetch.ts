import { checkOutboundUrl, type OutboundPolicy, type RefusalRule } from "./url-policy";

/**
 * Why an outbound call produced no usable answer:
 * - `refused`: the policy refused the URL; nothing was sent.
 * - `not_sent`: the caller's signal had already ended; nothing was sent.
 * - `network`: the receiver could not be reached (DNS, connection, TLS).
 * - `timeout`: the request went out and no answer came in time; the receiver may have acted on it.
 * - `redirected`: the receiver answered 3xx; redirects are never followed.
 */
export type OutboundFailure = "refused" | "not_sent" | "network" | "timeout" | "redirected";

export class OutboundError extends Error {
  readonly failure: OutboundFailure;
  /** The policy rule, for `refused`. */
  readonly rule?: RefusalRule;
  /** The HTTP status, for `redirected`. */
  readonly status?: number;

  constructor(failure: OutboundFailure, message: string, extra: { rule?: RefusalRule; status?: number; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.name = "OutboundError";
    this.failure = failure;
    this.rule = extra.rule;
    this.status = extra.status;
  }
}

/** A receiver's answer with its body already read, at most the policy's maxResponseBytes of it. */
export interface OutboundResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body read (UTF-8, possibly cut short): for parsing codes, never for showing as is. */
  text: string;
  /** The same body as bytes, for answers that are not text (a rendered document). */
  bytes: Uint8Array;
  /** True when the body was longer than the limit, or ended early by the deadline or an error. */
  truncated: boolean;
}

/** Request options a caller may set; redirect handling is the policy's. */
export type OutboundInit = Omit<RequestInit, "redirect" | "signal"> & { signal?: AbortSignal };

/** Resolves when the signal ends, so a stalled body read can be abandoned. */
function ended(signal: AbortSignal): Promise<"ended"> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve("ended");
    else signal.addEventListener("abort", () => resolve("ended"), { once: true });
  });
}

/** Reads at most `limit` bytes of `body`, then cancels the rest; stops early when `signal` ends. */
async function readBounded(body: ReadableStream<Uint8Array> | null, limit: number, signal: AbortSignal): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const deadline = ended(signal);
  try {
    for (;;) {
      const step = await Promise.race([reader.read(), deadline]);
      if (step === "ended") {
        truncated = true;
        break;
      }
      if (step.done) break;
      const room = limit - size;
      if (step.value.byteLength > room) {
        chunks.push(step.value.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(step.value);
      size += step.value.byteLength;
    }
  } catch {
    // A body that breaks off mid-way: what arrived is all there is.
    truncated = true;
  }
  if (truncated) reader.cancel().catch(() => {});
  else reader.releaseLock();
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}

/**
 * THE way to call a tenant-supplied URL. Checks it against the policy (and fetches the canonical
 * URL that was checked), never follows a redirect (a 3xx is an `OutboundError` "redirected"),
 * ends the exchange at the policy's timeout or the caller's signal, whichever comes first, and
 * reads at most `maxResponseBytes` of the answer before cancelling the rest. Any HTTP status other
 * than 3xx comes back as an OutboundResponse; every other failure is an OutboundError.
 *
 * The body is returned for parsing known error codes (see `remoteCode`): it comes from a
 * tenant-chosen host and must not be copied into anything a tenant reads.
 *
 * @example
 * ```ts
 * const res = await outboundFetch(target.url, { method: "POST", headers, body, signal }, outboundPolicy(env));
 * if (!res.ok) throw new Error(remoteSummary(res.status, remoteCode(res.text)));
 * ```
 */
export async function outboundFetch(input: string | URL, init: OutboundInit, policy: OutboundPolicy): Promise<OutboundResponse> {
  const check = checkOutboundUrl(input, policy);
  if (!check.ok) throw new OutboundError("refused", check.reason, { rule: check.rule });
  if (init.signal?.aborted) throw new OutboundError("not_sent", "no time left to send; not sent", { cause: init.signal.reason });

  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(check.url.href, { ...init, redirect: "manual", signal });
  } catch (err) {
    const aborted = signal.aborted || (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError"));
    if (aborted) throw new OutboundError("timeout", "request timed out", { cause: err });
    throw new OutboundError("network", "network error", { cause: err });
  }
  if (res.status >= 300 && res.status < 400) {
    res.body?.cancel().catch(() => {});
    // The Location is not reported: it may name an internal address the tenant should not learn.
    throw new OutboundError("redirected", `the target redirected (HTTP ${res.status}); redirects are not followed`, { status: res.status });
  }
  const { bytes, truncated } = await readBounded(res.body, policy.maxResponseBytes, signal);
  return { status: res.status, ok: res.ok, headers: res.headers, text: new TextDecoder().decode(bytes), bytes, truncated };
}
