import { Webhook } from "standardwebhooks";
import { toBase64 } from "../../lib/crypto/encoding";

/** Random bytes in a signing secret: Standard Webhooks asks for 24 to 64. */
const SECRET_BYTES = 32;

/**
 * How long the secret a rotation replaced keeps signing alongside the new one, so a receiver can
 * deploy the new secret without rejecting events signed in between (README "Status callbacks").
 */
export const ROTATION_WINDOW_MS = 24 * 3_600_000;

/**
 * A new Standard Webhooks signing secret: `whsec_` and the base64 of 32 random bytes.
 *
 * @example
 * ```ts
 * newSigningSecret() // "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw…"
 * ```
 */
export function newSigningSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

/**
 * The `webhook-signature` header value for a payload: one `v1,<base64>` per secret, separated by
 * spaces (Standard Webhooks lets a receiver accept any of them, which is what makes a rotation
 * window work). Signed by the standardwebhooks package itself, so what a receiver verifies with
 * the same package is exactly what it checks.
 *
 * @example
 * ```ts
 * signatures(["whsec_new…", "whsec_old…"], "evt_3f…", new Date(), body) // "v1,K5o… v1,9xQ…"
 * ```
 */
export function signatures(secrets: string[], eventId: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(eventId, at, body)).join(" ");
}
