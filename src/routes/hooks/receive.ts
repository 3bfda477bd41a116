import type { Context } from "hono";
import type { Env } from "../../env";
import type { AppEnv } from "../../lib/app-env";
import { ApiError } from "../../lib/errors/api-error";
import { problemResponses } from "../../lib/errors/problem";
import { log } from "../../lib/log";
import { assertSafeJsonText } from "../../middleware/json-body-guard";
import { applyReceipts, MAX_RECEIPTS_PER_CALL, type Receipt } from "../../services/receipts/apply";
import { MalformedReceipts } from "../../services/receipts/normalise";
import { receiptsWired } from "../../services/receipts/wired";
import type { SignedRequest, Verification } from "../../services/receipts/verification";
import { ReceiptsAnswerSchema } from "./schemas";

/**
 * Largest receipt body taken: SendGrid, the only provider here that batches, posts at most
 * 768 KB of events; the others post one event of a few kilobytes.
 */
export const MAX_HOOK_BODY_BYTES = 1024 * 1024;

/**
 * Most receipts one post may carry. A genuine SendGrid batch (768 KB, every event over 150
 * bytes) stays below it; a body past it is refused whole (413) rather than applied in part.
 */
export const MAX_RECEIPTS_PER_POST = 5000;

/** One provider's receipt webhook: what it needs configured, how it is verified and read. */
export interface HookDefinition {
  provider: string;
  /** The settings this hook cannot work without (503 naming them when one is missing). */
  requires: readonly (keyof Env)[];
  verify(request: SignedRequest, payload: unknown, env: Env, now: Date): Promise<Verification>;
  receipts(payload: unknown, now: Date, request: SignedRequest): Receipt[];
  /**
   * Refuses a verified request already seen (a replay inside the signature's tolerance); answers
   * the release to call when the post then fails, so the provider's retry is taken.
   */
  claim?(payload: unknown, now: Date): { ok: true; release(): void } | { ok: false; reason: string };
  /** Sent with a 401 so the provider knows which credentials to present (HTTP Basic). */
  challenge?: string;
}

/** The responses every receipt hook documents. */
export const hookResponses = {
  200: { description: "Verified and taken (also when it names messages this service does not know, so the provider stops retrying)", content: { "application/json": { schema: ReceiptsAnswerSchema } } },
  ...problemResponses(400, 401, 403, 404, 413, 503),
};

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parse(body: Uint8Array): unknown {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new ApiError("invalid_request", { detail: "Receipt bodies must be UTF-8 JSON" });
  }
  assertSafeJsonText(text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid_json", { detail: "The receipt body is not valid JSON" });
  }
}

/**
 * Takes one receipt post: the provider's receipts wired on this deployment (RECEIPT_PROVIDERS,
 * else 404: its acceptance is final here), settings present (else 503), body within MAX_HOOK_BODY_BYTES (413) and
 * JSON (400), verified (401 without credentials, 403 with wrong or stale ones, nothing changed),
 * not a replay, read into receipts (400 when the payload is not the provider's shape), then
 * applied in the order the provider says they happened, MAX_RECEIPTS_PER_CALL at a time.
 * Answers 200 for every verified post, receipts for unknown messages included: anything else
 * makes the provider retry a post that can never succeed.
 *
 * @example
 * ```ts
 * app.openapi(route, (c) => receiveHook(c, sendGridHook));
 * ```
 */
export async function receiveHook(c: Context<AppEnv>, hook: HookDefinition): Promise<Response> {
  if (!receiptsWired(c.env, hook.provider)) {
    throw new ApiError("not_found", { detail: `${hook.provider} delivery receipts are not wired on this deployment (RECEIPT_PROVIDERS)` });
  }
  const absent = hook.requires.filter((name) => !c.env[name]);
  if (absent.length > 0) {
    throw new ApiError("misconfigured", { detail: `Receipts from ${hook.provider} are not configured on this deployment: set ${absent.join(", ")}` });
  }
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_HOOK_BODY_BYTES) throw new ApiError("payload_too_large", { detail: `Receipt bodies are limited to ${MAX_HOOK_BODY_BYTES} bytes` });
  const payload = parse(body);
  const now = new Date();

  const request: SignedRequest = { headers: c.req.raw.headers, body };
  const verdict = await hook.verify(request, payload, c.env, now);
  if (!verdict.ok) {
    log("warn", "receipt refused", { provider: hook.provider, kind: verdict.kind, reason: verdict.reason, requestId: c.get("requestId") });
    if (verdict.kind === "misconfigured") throw new ApiError("misconfigured", { detail: `Receipts from ${hook.provider} cannot be verified: ${verdict.reason}` });
    const detail = `Not a verified ${hook.provider} receipt: ${verdict.reason}; nothing was changed`;
    if (verdict.kind === "missing") throw new ApiError("unauthorized", { detail, ...(hook.challenge ? { headers: { "www-authenticate": hook.challenge } } : {}) });
    throw new ApiError("forbidden", { detail });
  }

  let receipts: Receipt[];
  try {
    receipts = hook.receipts(payload, now, request);
  } catch (err) {
    if (err instanceof MalformedReceipts) throw new ApiError("invalid_request", { detail: `Not a ${hook.provider} receipt: ${err.message}` });
    throw err;
  }
  if (receipts.length > MAX_RECEIPTS_PER_POST) {
    throw new ApiError("payload_too_large", { detail: `A post may carry at most ${MAX_RECEIPTS_PER_POST} receipts (this one: ${receipts.length})` });
  }

  const claim = hook.claim?.(payload, now);
  if (claim && !claim.ok) throw new ApiError("forbidden", { detail: `Not a verified ${hook.provider} receipt: ${claim.reason}; nothing was changed` });
  let applied = 0;
  let ignored = 0;
  try {
    // Sorted before chunking, so no chunk holds an event older than one already applied.
    const ordered = receipts.map((r, i) => ({ r, i })).sort((a, b) => a.r.at.getTime() - b.r.at.getTime() || a.i - b.i).map((x) => x.r);
    for (let i = 0; i < ordered.length; i += MAX_RECEIPTS_PER_CALL) {
      const result = await applyReceipts(c.env, ordered.slice(i, i + MAX_RECEIPTS_PER_CALL), { now });
      applied += result.applied;
      ignored += result.ignored;
    }
  } catch (err) {
    claim?.release();
    throw err;
  }
  return c.json({ applied, ignored }, 200);
}
