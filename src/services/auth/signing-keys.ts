import type { ApiKeyRow } from "../../db/schema";
import { open as openSecretBox } from "../../lib/crypto/secret-box";
import { ApiError } from "../../lib/errors/api-error";
import { LruCache } from "../../lib/lru-cache";
import { log } from "../../lib/log";
import { secretContext } from "../api-keys/api-keys";

/** Keys whose HMAC key is kept per isolate; beyond this the least recently used is decrypted again. */
export const SIGNING_KEY_CACHE_SIZE = 2_000;

type Open = typeof openSecretBox;

/**
 * HMAC keys of API keys for JWT verification, cached per isolate.
 *
 * Why: a JWT names its tenant but (from Notify clients) not its key, so the service must try the
 * tenant's keys, and each try needs the secret, which is stored AES-GCM encrypted. Decrypting on
 * every request let an unauthenticated caller with a forged token make the service decrypt every
 * key of a tenant each time. Here a key's ciphertext is decrypted once per isolate; later
 * requests, forged or not, only compute HMACs. Entries are keyed by key id and ciphertext, so a
 * re-encrypted secret is never served stale; the cache holds non-extractable CryptoKeys, not the
 * secrets as strings; a ciphertext that no longer opens is remembered as unusable (and logged once);
 * concurrent requests share one decryption. The encryption key is not part of the cache key: it
 * is a Worker secret, and changing it deploys new isolates.
 *
 * @example
 * ```ts
 * const keys = createSigningKeyCache();
 * const hmac = await keys.get(keyRow, env.API_KEY_ENCRYPTION_KEY); // CryptoKey, or null if it cannot be decrypted
 * ```
 */
export function createSigningKeyCache(options: { open?: Open; capacity?: number } = {}) {
  const openBox = options.open ?? openSecretBox;
  const cache = new LruCache<string, Promise<CryptoKey | null>>(options.capacity ?? SIGNING_KEY_CACHE_SIZE);

  async function load(key: ApiKeyRow, material: string | undefined): Promise<CryptoKey | null> {
    let secret: string;
    try {
      secret = await openBox(material, key.secretCiphertext, secretContext(key.tenantId, key.id));
    } catch (err) {
      if (err instanceof ApiError) throw err;
      log("error", "api key secret cannot be decrypted", { tenantId: key.tenantId, keyId: key.id });
      return null;
    }
    // Notify clients use the secret's UTF-8 bytes as the HS256 key.
    return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  }

  return {
    get(key: ApiKeyRow, material: string | undefined): Promise<CryptoKey | null> {
      const id = `${key.id}\u0000${key.secretCiphertext}`;
      let entry = cache.get(id);
      if (!entry) {
        entry = load(key, material);
        cache.set(id, entry);
        // A configuration error (no encryption key) is not a property of the key: do not remember it.
        entry.catch(() => cache.delete(id));
      }
      return entry;
    },
  };
}

/** The isolate's cache, shared by every request it serves. */
export const signingKeys = createSigningKeyCache();
