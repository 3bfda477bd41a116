import { createMiddleware } from "hono/factory";
import type { KeyAnswer } from "../durable-objects/tenant-gate";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors/api-error";
import { unavailable } from "../services/gate/admit";

/** The IETF httpapi draft's header, and the one that marks an answer as a replay of the first. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
/** Longest key accepted (GOV.UK Notify's references and most clients' UUIDs are far shorter). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Largest answer kept for replay; a larger one (a big preview) is not kept and the key is freed. */
const MAX_STORED_ANSWER_CHARS = 512 * 1024;
/** Answer headers worth replaying: what the body means and where the created resource is. */
const REPLAYED_HEADERS = ["content-type", "location"];

async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

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
  const header = c.req.header(IDEMPOTENCY_KEY_HEADER);
  if (c.req.method !== "POST" || header === undefined) return next();
  const principal = c.get("tenant");
  if (!principal) return next();
  const key = readKey(header);
  const url = new URL(c.req.url);
  const body = await canonicalBody(c.req.raw);
  // The key type is part of the request: a test key reusing a live key's key is another request
  // (it would be simulated, not sent), never a replay of the live answer.
  const head = new TextEncoder().encode(`${principal.keyType} ${c.req.method} ${url.pathname}${url.search}\n`);
  const material = new Uint8Array(head.byteLength + body.byteLength);
  material.set(head, 0);
  material.set(body, head.byteLength);
  const fingerprint = await sha256Hex(material);

  const gate = c.env.TENANT_GATE.get(c.env.TENANT_GATE.idFromName(principal.tenantId));
  let begun: Awaited<ReturnType<typeof gate.beginKey>>;
  try {
    begun = await gate.beginKey(key, fingerprint);
  } catch (err) {
    throw unavailable("the tenant's idempotency keys", err);
  }
  if (begun.kind === "replay") {
    return new Response(begun.body, { status: begun.status, headers: { ...begun.headers, [REPLAYED_HEADER]: "true" } });
  }
  if (begun.kind === "in_flight") {
    throw new ApiError("conflict", {
      detail: `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry after it finishes to get its answer`,
      headers: { "Retry-After": String(begun.retryAfterSeconds) },
    });
  }
  if (begun.kind === "mismatch") {
    throw new ApiError("unprocessable", {
      detail: `This ${IDEMPOTENCY_KEY_HEADER} was used for a different request in the last 24 hours; use a new key for a new request`,
      errors: [{ path: `(header) ${IDEMPOTENCY_KEY_HEADER}`, message: "Already used for a different request" }],
    });
  }

  let answer: KeyAnswer | null = null;
  try {
    await next();
    const res = c.res;
    if (res.status >= 200 && res.status < 300) {
      const text = await res.clone().text();
      if (text.length <= MAX_STORED_ANSWER_CHARS) {
        const headers = Object.fromEntries(REPLAYED_HEADERS.map((h) => [h, res.headers.get(h)]).filter((e): e is [string, string] => e[1] !== null));
        answer = { status: res.status, headers, body: text };
      }
    }
  } finally {
    await gate.finishKey(key, fingerprint, answer);
  }
});
