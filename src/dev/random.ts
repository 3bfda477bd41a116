/**
 * `count` random bytes as lowercase hex.
 *
 * @example
 * ```ts
 * randomHex(4) // "3fa9c2d1"
 * ```
 */
export function randomHex(count: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(count)), (b) => b.toString(16).padStart(2, "0")).join("");
}
