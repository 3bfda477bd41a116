import { ApiError } from "../errors/api-error";
import { fromBase64Url, toBase64Url } from "./encoding";

const VERSION = "v1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * Derives the AES-256-GCM key from the configured secret. HKDF lets the secret be any
 * high-entropy string (as `wrangler secret put` takes it) rather than exactly 32 raw bytes.
 */
function deriveKey(material: string): Promise<CryptoKey> {
  let key = keyCache.get(material);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(material), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: encoder.encode("edge-notify/secret-box"), info: encoder.encode(VERSION) },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keyCache.set(material, key);
  }
  return key;
}

function requireMaterial(material: string | undefined): string {
  if (!material || material.length < 16) {
    throw new ApiError("misconfigured", {
      detail: "API_KEY_ENCRYPTION_KEY is not set (or shorter than 16 characters); see README, Configuration",
    });
  }
  return material;
}

/**
 * Encrypts `plaintext` with AES-GCM. `context` is bound as additional authenticated data so a
 * ciphertext copied to another row (another tenant or key id) fails to decrypt.
 *
 * @example
 * ```ts
 * const sealed = await seal(env.API_KEY_ENCRYPTION_KEY, secret, `${tenantId}/${keyId}`);
 * const secret2 = await open(env.API_KEY_ENCRYPTION_KEY, sealed, `${tenantId}/${keyId}`);
 * ```
 */
export async function seal(material: string | undefined, plaintext: string, context: string): Promise<string> {
  const key = await deriveKey(requireMaterial(material));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
    key,
    encoder.encode(plaintext),
  );
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ct))}`;
}

export async function open(material: string | undefined, sealed: string, context: string): Promise<string> {
  const [version, iv, ct] = sealed.split(".");
  if (version !== VERSION || !iv || !ct) throw new Error("secret-box: unknown ciphertext format");
  const key = await deriveKey(requireMaterial(material));
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: encoder.encode(context) },
    key,
    fromBase64Url(ct),
  );
  return decoder.decode(pt);
}
