/** Base64url without padding, for compact tokens and ciphertexts. */
export function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * Standard base64 (with padding) of bytes, in chunks so large inputs do not overflow the stack.
 *
 * @example
 * ```ts
 * toBase64(new TextEncoder().encode("hi")) // "aGk="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Bytes of standard base64 (whitespace ignored), or null when it is not base64: for signatures
 * and keys that arrive in requests, where a bad value is a refusal, not an exception.
 *
 * @example
 * ```ts
 * fromBase64("aGk=") // Uint8Array [104, 105]
 * fromBase64("%%")   // null
 * ```
 */
export function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
