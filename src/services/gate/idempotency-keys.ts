import type { KeyAnswer, KeyBegin } from "../../durable-objects/tenant-gate";
import { ApiError } from "../../lib/errors/api-error";

/** The IETF httpapi draft's header, and the one that marks an answer as a replay of the first. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";

/**
 * A request's `Idempotency-Key` on its way to the tenant's object: the key, what makes the
 * request itself (its fingerprint), and whether the object has taken the key for this request,
 * after which the request's answer must be handed back to it (middleware/idempotency-key.ts).
 */
export interface KeyClaim {
  key: string;
  fingerprint: string;
  taken: boolean;
  /** The object has looked at the key for this request (whatever it answered). */
  checked?: boolean;
}

/** The first request's stored answer, thrown to end a repeat of it (error-handler.ts answers it). */
export class ReplayedAnswer extends Error {
  constructor(
    readonly answer: KeyAnswer,
    /** Headers describing the caller's state now (its rate limit), added to the stored ones. */
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super("Replayed the stored answer of an Idempotency-Key");
  }

  response(): Response {
    return new Response(this.answer.body, { status: this.answer.status, headers: { ...this.answer.headers, ...this.extraHeaders, [REPLAYED_HEADER]: "true" } });
  }
}

/**
 * Ends a request whose key is already used: the first request's answer replayed, a 409 while
 * that one still runs, or a 422 when the key was used for a different request.
 *
 * @example
 * ```ts
 * const begun = await gate.beginKey(key, fingerprint);
 * if (begun.kind !== "new") refuseForKey(begun);
 * ```
 */
export function refuseForKey(begun: Exclude<KeyBegin, { kind: "new" }>, headers: Record<string, string> = {}): never {
  if (begun.kind === "replay") throw new ReplayedAnswer(begun, headers);
  if (begun.kind === "in_flight") {
    throw new ApiError("conflict", {
      detail: `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry after it finishes to get its answer`,
      headers: { ...headers, "Retry-After": String(begun.retryAfterSeconds) },
    });
  }
  throw new ApiError("unprocessable", {
    detail: `This ${IDEMPOTENCY_KEY_HEADER} was used for a different request in the last 24 hours; use a new key for a new request`,
    errors: [{ path: `(header) ${IDEMPOTENCY_KEY_HEADER}`, message: "Already used for a different request" }],
    headers,
  });
}
