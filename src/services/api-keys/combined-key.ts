/**
 * GOV.UK Notify's combined key form `{name}-{tenantId}-{secret}`. Notify clients split it
 * positionally from the end (secret = last 36 characters, tenant id = the 36 before the
 * separator), so the name part may contain anything, hyphens included.
 */
export interface CombinedKey {
  name: string;
  tenantId: string;
  secret: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEPARATORS = new Set(["-", ":"]);

/**
 * @example
 * ```ts
 * parseCombinedKey("ci-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0")
 * // { name: "ci", tenantId: "26785a09-…", secret: "3d844edf-…" }
 * ```
 */
export function parseCombinedKey(value: string): CombinedKey | null {
  const key = value.trim();
  if (key.length < 75) return null;
  const secret = key.slice(-36);
  const tenantId = key.slice(-73, -37);
  if (!SEPARATORS.has(key.charAt(key.length - 37)) || !SEPARATORS.has(key.charAt(key.length - 74))) return null;
  if (!UUID.test(secret) || !UUID.test(tenantId)) return null;
  return { name: key.slice(0, -74), tenantId: tenantId.toLowerCase(), secret };
}

/** The name part as it appears in a combined key: lower case, runs of other characters as `_`. */
export function keyNameSlug(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "") || "key"
  );
}

export function formatCombinedKey(name: string, tenantId: string, secret: string): string {
  return `${keyNameSlug(name)}-${tenantId}-${secret}`;
}
