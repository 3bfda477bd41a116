import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { KeyAnswer, KeyBegin } from "../durable-objects/tenant-gate";
import type { AppEnv } from "../lib/app-env";
import { sha256Hex } from "../lib/crypto/hash";
import { ApiError } from "../lib/errors/api-error";
import { unavailable } from "../services/gate/admit";
import { IDEMPOTENCY_KEY_HEADER, type KeyClaim, refuseForKey, ReplayedAnswer } from "../services/gate/idempotency-keys";
import { errorHandler } from "./error-handler";
import { tenantGate } from "../services/gate/tenant-gate";

export { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from "../services/gate/idempotency-keys";

/** Longest key accepted (GOV.UK Notify's references and most clients' UUIDs are far shorter). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Largest answer kept for replay; a larger one (a big preview) is not kept and the key is freed. */
const MAX_STORED_ANSWER_CHARS = 512 * 1024;
/** Answer headers worth replaying: what the body means and where the created resource is. */
const REPLAYED_HEADERS = ["content-type", "location"];

/**
 * The request's body as compared between a request and its retry. A clone is read, so the route
 * still reads the body its own way. A multipart form is compared by its parts (names, values,
 * file contents), not its bytes: a client sending the same form again draws a new boundary.
 */
async function canonicalBody(request: Request): Promise<Uint8Array> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(type)) return new Uint8Array(await request.clone().arrayBuffer());
  let form: FormData;
  try {
    form = await request.clone().formData();
  } catch {
    // Unreadable as a form: the route refuses it; its bytes stand in.
    return new Uint8Array(await request.clone().arrayBuffer());
  }
  const parts: string[] = [];
  for (const [name, value] of form.entries()) parts.push(`${name}\u0000${typeof value === "string" ? value : await value.text()}`);
  return new TextEncoder().encode(parts.join("\u0001"));
}

/**
 * The key as sent: the draft defines it as a Structured Field string (`"abc"`); a bare token is
 * taken as written, since many clients send one. Printable ASCII only, 1 to 255 characters.
 */
function readKey(raw: string): string {
  const trimmed = raw.trim();
  const key = /^"(.*)"$/.test(trimmed) ? trimmed.slice(1, -1).replace(/\\(["\\])/g, "$1") : trimmed;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new ApiError("invalid_request", {
      detail: `${IDEMPOTENCY_KEY_HEADER} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
      errors: [{ path: `(header) ${IDEMPOTENCY_KEY_HEADER}`, message: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters` }],
    });
  }
  return key;
}

/** The key and fingerprint of a tenant's POST that carries the header; null when it carries none. */
async function claimOf(c: Context<AppEnv>): Promise<KeyClaim | null> {
  const header = c.req.header(IDEMPOTENCY_KEY_HEADER);
  if (c.req.method !== "POST" || header === undefined) return null;
  const principal = c.get("tenant");
  if (!principal) return null;
  const key = readKey(header);
  const url = new URL(c.req.url);
  const body = await canonicalBody(c.req.raw);
  // The key type is part of the request: a test key reusing a live key's key is another request
  // (it would be simulated, not sent), never a replay of the live answer.
  const head = new TextEncoder().encode(`${principal.keyType} ${c.req.method} ${url.pathname}${url.search}\n`);
  const material = new Uint8Array(head.byteLength + body.byteLength);
  material.set(head, 0);
  material.set(body, head.byteLength);
  return { key, fingerprint: await sha256Hex(material), taken: false };
}

/** The route's answer as kept for the key: 2xx only, and not too large to keep; null frees the key. */
async function keptAnswer(res: Response): Promise<KeyAnswer | null> {
  if (res.status < 200 || res.status >= 300) return null;
  const text = await res.clone().text();
  if (text.length > MAX_STORED_ANSWER_CHARS) return null;
  const headers = Object.fromEntries(REPLAYED_HEADERS.map((h) => [h, res.headers.get(h)]).filter((e): e is [string, string] => e[1] !== null));
  return { status: res.status, headers, body: text };
}

function gateOf(c: Context<AppEnv>) {
  return tenantGate(c.env, c.get("tenant").tenantId);
}

/**
 * `Idempotency-Key` on a tenant's POSTs (IETF httpapi draft): the first request with a key runs
 * and, when it succeeds (2xx), its answer is kept for 24 hours in the tenant's Durable Object.
 * The same key with the same request (key type, method, path, query and body bytes) then gets that answer
 * again, with `Idempotent-Replayed: true`, and nothing runs twice; while the first is still
 * running a copy gets 409 with `Retry-After`; the same key with a different request is a 422.
 * Errors are not kept as answers (a 4xx the client may correct, a 5xx or 429 worth retrying): the
 * key is freed and the corrected request may use it again. Keys are per tenant: each tenant has
 * its own object. Runs after authentication and the permission check, so a refused caller never
 * takes or learns about a key.
 *
 * @example
 * ```http
 * POST /api/v1/notifysimple
 * Idempotency-Key: "order-4711-confirmation"
 * ```
 */
export const idempotencyKey = createMiddleware<AppEnv>(async (c, next) => {
  const claim = await claimOf(c);
  if (!claim) return next();
  const gate = gateOf(c);
  let begun: Awaited<ReturnType<typeof gate.beginKey>>;
  try {
    begun = await gate.beginKey(claim.key, claim.fingerprint);
  } catch (err) {
    throw unavailable("the tenant's idempotency keys", err);
  }
  if (begun.kind !== "new") refuseForKey(begun);
  let answer: KeyAnswer | null = null;
  try {
    await next();
    answer = await keptAnswer(c.res);
  } finally {
    await gate.finishKey(claim.key, claim.fingerprint, answer);
  }
});

/**
 * The same contract as `idempotencyKey`, for the send routes: the key is not taken up front but
 * decided by the send's admission, in the one call to the tenant's object that also decides its
 * rate and daily limits and duplicate window (services/gate/admit.ts). A send refused before it
 * is admitted (an invalid body, a limit) never takes the key; one admitted hands its answer back
 * here, so a send with a key costs two calls to the object instead of three.
 */
export const idempotencyKeyAtAdmission = createMiddleware<AppEnv>(async (c, next) => {
  const claim = await claimOf(c);
  if (!claim) return next();
  c.set("idempotencyKey", claim);
  let answer: KeyAnswer | null = null;
  try {
    await next();
    if (claim.taken) answer = await keptAnswer(c.res);
    else if (!claim.checked && c.res.status >= 400) await answerFromKey(c, claim);
  } finally {
    if (claim.taken) await gateOf(c).finishKey(claim.key, claim.fingerprint, answer);
  }
});

/**
 * A send refused before its admission looked at its key: the same request sent again after it
 * was accepted may no longer pass (a recipient suppressed since, a `delayedSend` now in the
 * past), yet the client retrying it must get the first answer, not an error. Asked only on
 * such errors, so a send costs no extra call to the object.
 */
async function answerFromKey(c: Context<AppEnv>, claim: KeyClaim): Promise<void> {
  let begun: KeyBegin;
  try {
    begun = await gateOf(c).peekKey(claim.key, claim.fingerprint);
  } catch {
    return; // The request's own error stands.
  }
  if (begun.kind !== "replay" && begun.kind !== "in_flight") return;
  try {
    refuseForKey(begun);
  } catch (err) {
    // Replace rather than merge: the error's headers say nothing about the first answer.
    c.res = undefined;
    c.res = err instanceof ReplayedAnswer ? err.response() : await errorHandler(err as Error, c);
  }
}
