import { toHex } from "./encoding";

const encoder = new TextEncoder();

/**
 * SHA-256 of a string or bytes, as lowercase hex.
 *
 * @example
 * ```ts
 * await sha256Hex("abc") // "ba7816bf..."
 * ```
 */
export async function sha256Hex(input: string | Uint8Array | ArrayBuffer): Promise<string> {
  return toHex(await sha256(input));
}

export async function sha256(input: string | Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  const data = typeof input === "string" ? encoder.encode(input) : input;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/**
 * HMAC of `data` under `key` (strings as UTF-8): the one HMAC of the project's signature checks.
 *
 * @example
 * ```ts
 * toHex(await hmac("SHA-256", "key", "The quick brown fox jumps over the lazy dog")) // "f7bc83f4…"
 * ```
 */
export async function hmac(hash: "SHA-1" | "SHA-256", key: string | Uint8Array, data: string | Uint8Array): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, typeof data === "string" ? encoder.encode(data) : data));
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqualString(a: string, b: string): boolean {
  const ab = encoder.encode(a);
  const bb = encoder.encode(b);
  if (ab.byteLength !== bb.byteLength) {
    // Still spend the comparison so length is the only thing that leaks.
    crypto.subtle.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.subtle.timingSafeEqual(ab, bb);
}
