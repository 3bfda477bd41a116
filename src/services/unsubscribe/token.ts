import { EncryptJWT, errors, jwtDecrypt } from "jose";
import type { Env } from "../../env";
import { ApiError } from "../../lib/errors/api-error";
import type { SuppressibleChannel } from "../suppressions/suppressions";

/** How long an unsubscribe link works, counted from when its email is due to be sent. */
export const UNSUBSCRIBE_TOKEN_DAYS = 90;
const TTL_SECONDS = UNSUBSCRIBE_TOKEN_DAYS * 24 * 60 * 60;

/** What an unsubscribe link stands for: one recipient of one tenant on one channel. */
export interface UnsubscribeClaims {
  tenantId: string;
  channel: SuppressibleChannel;
  recipient: string;
}

const encoder = new TextEncoder();
let cached: { material: string; key: Promise<Uint8Array> } | undefined;

/**
 * The 256-bit token key: HKDF-SHA256 of UNSUBSCRIBE_TOKEN_KEY, or of API_KEY_ENCRYPTION_KEY when
 * that is not set (a separate derivation label, so the two uses never share a key).
 */
function tokenKey(env: Pick<Env, "UNSUBSCRIBE_TOKEN_KEY" | "API_KEY_ENCRYPTION_KEY">): Promise<Uint8Array> {
  const material = env.UNSUBSCRIBE_TOKEN_KEY || env.API_KEY_ENCRYPTION_KEY;
  if (!material || material.length < 16) {
    throw new ApiError("misconfigured", { detail: "One-click unsubscribe needs UNSUBSCRIBE_TOKEN_KEY (or API_KEY_ENCRYPTION_KEY), at least 16 characters" });
  }
  if (cached?.material !== material) {
    const key = (async () => {
      const base = await crypto.subtle.importKey("raw", encoder.encode(material), "HKDF", false, ["deriveBits"]);
      const bits = await crypto.subtle.deriveBits(
        { name: "HKDF", hash: "SHA-256", salt: encoder.encode("edge-notify"), info: encoder.encode("unsubscribe-token/v1") },
        base,
        256,
      );
      return new Uint8Array(bits);
    })();
    cached = { material, key };
  }
  return cached.key;
}

/**
 * A compact JWE (`dir`, A256GCM): the claims are encrypted as well as authenticated, so the link
 * says nothing about who it unsubscribes to whoever sees the URL (a proxy log, a link scanner),
 * and any change to it makes it invalid.
 *
 * @example
 * ```ts
 * const token = await issueUnsubscribeToken(env, { tenantId, channel: "email", recipient: "ann@example.com" }, sendsAt);
 * // `${origin}/u/${token}` in List-Unsubscribe
 * ```
 */
export async function issueUnsubscribeToken(env: Pick<Env, "UNSUBSCRIBE_TOKEN_KEY" | "API_KEY_ENCRYPTION_KEY">, claims: UnsubscribeClaims, from: Date): Promise<string> {
  const issuedAt = Math.floor(from.getTime() / 1000);
  return new EncryptJWT({ tid: claims.tenantId, ch: claims.channel, rcp: claims.recipient })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + TTL_SECONDS)
    .encrypt(await tokenKey(env));
}

export type TokenCheck = { ok: true; claims: UnsubscribeClaims } | { ok: false; reason: "invalid" | "expired" };

/** Opens a token: its claims, or why it cannot be used (forged or altered: `invalid`; past its lifetime: `expired`). */
export async function readUnsubscribeToken(env: Pick<Env, "UNSUBSCRIBE_TOKEN_KEY" | "API_KEY_ENCRYPTION_KEY">, token: string, now: Date): Promise<TokenCheck> {
  if (token.length > 2048 || !/^[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){4}$/.test(token)) return { ok: false, reason: "invalid" };
  try {
    const { payload } = await jwtDecrypt(token, await tokenKey(env), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      currentDate: now,
      requiredClaims: ["exp"],
    });
    const { tid, ch, rcp } = payload as { tid?: unknown; ch?: unknown; rcp?: unknown };
    if (typeof tid !== "string" || (ch !== "email" && ch !== "sms") || typeof rcp !== "string") return { ok: false, reason: "invalid" };
    return { ok: true, claims: { tenantId: tid, channel: ch, recipient: rcp } };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    if (err instanceof ApiError) throw err;
    return { ok: false, reason: "invalid" };
  }
}
