import { sha256Hex } from "../../lib/crypto/hash";
import { ApiError } from "../../lib/errors/api-error";
import type { ServiceContext } from "../context";
import { type KeyClaim, ReplayedAnswer } from "../gate/idempotency-keys";
import { tenantGate } from "../gate/tenant-gate";
import type { SendRequest } from "./plan";
import { sendNotification } from "./send";

/**
 * Sends the admin UI makes under an Idempotency-Key of its own (a confirmed event send, a mail
 * merge's upload), decided at admission as the API's send routes are: the same form posted again
 * (a double click, a retry, twenty tabs) answers the first notification and sends nothing. The
 * key's stored answer is `{ notifyId }`, so a repeat finds the notification to show.
 */

/** A send's own key and the fingerprint of what it stands for. */
export interface SendKey {
  key: string;
  fingerprint: string;
}

/**
 * The key of an admin send; its fingerprint is of the tenant, the key and `what` (whatever else a
 * repeat must match, such as the hash of what was previewed).
 *
 * @example
 * ```ts
 * const sendKey = await adminSendKey(ctx, `admin-merge:${uploadId}`);
 * const sendKey = await adminSendKey(ctx, `admin-event:${token}`, previewHash);
 * ```
 */
export async function adminSendKey(ctx: ServiceContext, key: string, ...what: string[]): Promise<SendKey> {
  return { key, fingerprint: await sha256Hex([ctx.tenant.id, key, ...what].join(" ")) };
}

/** The notification a finished send of the key answered, when there is one. */
function notifyIdOfAnswer(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { notifyId?: unknown };
    return typeof parsed.notifyId === "string" ? parsed.notifyId : null;
  } catch {
    return null;
  }
}

/**
 * Asks the tenant's object what became of an earlier send under the key: its notification, or
 * null when none finished. Waits (up to about `waitMs`) while one is still running.
 *
 * @example
 * ```ts
 * const notifyId = await sentUnderKey(ctx, await adminSendKey(ctx, `admin-merge:${uploadId}`), 10_000);
 * if (notifyId) return c.redirect(`/admin/activity/${notifyId}`, 303);
 * ```
 */
export async function sentUnderKey(ctx: ServiceContext, { key, fingerprint }: SendKey, waitMs = 0): Promise<string | null> {
  const gate = tenantGate(ctx.env, ctx.tenant.id);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const begun = await gate.peekKey(key, fingerprint);
    if (begun.kind === "replay") return notifyIdOfAnswer(begun.body);
    if (begun.kind !== "in_flight" || Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * What a keyed send came to: sent (`replayed` when an earlier send, or a duplicate within the
 * window, answered it; `status` is then `""` when only the earlier notification's id is known;
 * `duplicate` when it was the duplicate window, not this key, that answered with another
 * notification),
 * still being sent by another request after about ten seconds, or refused by the send path
 * (`keyChecked`: the tenant's object had looked at the key, so the refusal came at or after
 * admission).
 */
export type KeyedSendResult =
  | { kind: "sent"; notifyId: string; replayed: boolean; status: string; duplicate?: true }
  | { kind: "in_flight" }
  | { kind: "refused"; error: unknown; keyChecked: boolean };

/**
 * `sendNotification` under the send's own key. A repeat of a finished send answers its
 * notification; a repeat of a running one waits up to about ten seconds for it. The key is
 * released when the send is refused, so the form can be fixed and posted again.
 *
 * @example
 * ```ts
 * const result = await sendUnderKey(ctx, await adminSendKey(ctx, `admin-event:${token}`, hash), request, "admin");
 * if (result.kind === "refused") throw result.error;
 * ```
 */
export async function sendUnderKey(ctx: ServiceContext, sendKey: SendKey, request: SendRequest | (() => Promise<SendRequest>), source: string): Promise<KeyedSendResult> {
  const { key, fingerprint } = sendKey;
  const claim: KeyClaim = { key, fingerprint, taken: false };
  let receipt;
  try {
    receipt = await sendNotification({ ...ctx, idempotencyKey: claim }, typeof request === "function" ? await request() : request, source);
  } catch (err) {
    if (claim.taken) await tenantGate(ctx.env, ctx.tenant.id).finishKey(key, fingerprint, null);
    if (err instanceof ReplayedAnswer) {
      const notifyId = notifyIdOfAnswer(err.answer.body);
      if (notifyId) return { kind: "sent", notifyId, replayed: true, status: "" };
    }
    if (err instanceof ApiError && err.code === "conflict") {
      const notifyId = await sentUnderKey(ctx, sendKey, 10_000);
      return notifyId ? { kind: "sent", notifyId, replayed: true, status: "" } : { kind: "in_flight" };
    }
    return { kind: "refused", error: err, keyChecked: claim.checked === true };
  }
  if (claim.taken) await tenantGate(ctx.env, ctx.tenant.id).finishKey(key, fingerprint, { status: 201, headers: { "content-type": "application/json" }, body: JSON.stringify({ notifyId: receipt.notifyId }) });
  return { kind: "sent", notifyId: receipt.notifyId, replayed: receipt.duplicate === true, status: receipt.status, ...(receipt.duplicate ? { duplicate: true as const } : {}) };
}
