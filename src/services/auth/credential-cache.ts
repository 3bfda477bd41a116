import { LruCache } from "../../lib/lru-cache";

/**
 * How long this isolate trusts what it read about a credential (the key, its tenant, the
 * tenant's settings and limits). A change made through this isolate is seen at once
 * (forgetCredentials); one made through another isolate (a key revoked, a tenant suspended or
 * its defaults changed) is seen by every isolate within this time.
 */
export const CREDENTIAL_CACHE_TTL_MS = 5_000;

/** Credentials remembered per isolate: enough for every busy tenant's keys, bounded in memory. */
const CAPACITY = 1_000;

const entries = new LruCache<string, { until: number; value: unknown }>(CAPACITY);

/**
 * What `load` answers for `key`, read from D1 at most once per CREDENTIAL_CACHE_TTL_MS in this
 * isolate: authenticating is a D1 round trip on every request otherwise, the largest part of a
 * send after storing it. Only found credentials are kept, so a key just created elsewhere is
 * never refused for having been looked up before it existed.
 *
 * @example
 * ```ts
 * const found = await cachedCredential(`key:${hash}`, () => findKeyBySecretHash(db, hash));
 * ```
 */
export async function cachedCredential<T>(key: string, load: () => Promise<T | null>, now = Date.now()): Promise<T | null> {
  const hit = entries.get(key);
  if (hit && hit.until > now) return hit.value as T;
  const value = await load();
  if (value === null) entries.delete(key);
  else entries.set(key, { until: now + CREDENTIAL_CACHE_TTL_MS, value });
  return value;
}

/**
 * Forgets every remembered credential: called by whatever changes a key or a tenant, so this
 * isolate's next request reads the change.
 *
 * @example
 * ```ts
 * await ctx.db.update(apiKeys).set({ revokedAt }).where(eq(apiKeys.id, keyId));
 * forgetCredentials();
 * ```
 */
export function forgetCredentials(): void {
  entries.clear();
}
