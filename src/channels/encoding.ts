import { toBase64 } from "../lib/crypto/encoding";
const encoder = new TextEncoder();

/** Base64 of bytes (attachments, raw MIME). */
export const bytesToBase64: (bytes: Uint8Array) => string = toBase64;

/** Base64 of a string's UTF-8 bytes. */
export function utf8ToBase64(text: string): string {
  return bytesToBase64(encoder.encode(text));
}
