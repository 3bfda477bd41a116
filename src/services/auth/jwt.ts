import { compactVerify, decodeProtectedHeader, errors as joseErrors } from "jose";
import { fromBase64Url, toBase64Url, toHex } from "../../lib/crypto/encoding";
import { sha256 } from "../../lib/crypto/hash";
import { ApiError } from "../../lib/errors/api-error";
import { isUuid } from "../../lib/ids";

/** GOV.UK Notify's bound: `iat` may be this many seconds either side of the server clock. */
export const CLOCK_SKEW_SECONDS = 30;

export interface TokenClaims {
  iss: string;
  iat: number;
  req?: string;
  pay?: string;
  exp?: number;
  nbf?: number;
}

const refuse = (detail: string) => new ApiError("forbidden", { detail });

/** Reads the claims without trusting them, to find the tenant whose keys verify the token. */
export function readUnverifiedClaims(token: string): TokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw refuse("Invalid token: not a JWT (expected header.payload.signature)");
  let header: { alg?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw refuse("Invalid token: the JWT header cannot be decoded");
  }
  if (header.alg !== "HS256") throw refuse(`Invalid token: algorithm used is not HS256 (got ${header.alg ?? "none"})`);
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64Url(parts[1]!))) as Record<string, unknown>;
  } catch {
    throw refuse("Invalid token: the JWT payload is not JSON");
  }
  if (typeof claims !== "object" || claims === null) throw refuse("Invalid token: the JWT payload is not an object");
  if (typeof claims.iss !== "string" || claims.iss === "") throw refuse("Invalid token: iss field not provided");
  if (!isUuid(claims.iss)) throw refuse("Invalid token: iss must be the tenant id (a UUID)");
  return claims as unknown as TokenClaims;
}

const encoder = new TextEncoder();

/** True when `secret` (the 36-character key secret as UTF-8 bytes, or its HMAC CryptoKey) produced the signature. */
export async function signedWith(token: string, secret: string | CryptoKey): Promise<boolean> {
  try {
    await compactVerify(token, typeof secret === "string" ? encoder.encode(secret) : secret, { algorithms: ["HS256"] });
    return true;
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return false;
    throw refuse("Invalid token: signature cannot be verified");
  }
}

/** Checks `iat` (required, ±30 s) and, when present, `exp`/`nbf` with the same leeway. */
export function checkTimeClaims(claims: TokenClaims, nowSeconds: number): void {
  if (typeof claims.iat !== "number" || !Number.isFinite(claims.iat)) {
    throw refuse("Invalid token: iat field not provided (issued-at time in epoch seconds)");
  }
  if (claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw refuse("Error: Your system clock must be accurate to within 30 seconds (token iat is in the future)");
  }
  if (claims.iat < nowSeconds - CLOCK_SKEW_SECONDS) {
    throw refuse("Error: Your system clock must be accurate to within 30 seconds (token has expired)");
  }
  if (typeof claims.exp === "number" && claims.exp < nowSeconds - CLOCK_SKEW_SECONDS) {
    throw refuse("Invalid token: exp is in the past");
  }
  if (typeof claims.nbf === "number" && claims.nbf > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw refuse("Invalid token: nbf is in the future");
  }
}

/**
 * A 32-byte MAC or digest written as hex or base64(url), or null: the forms `req` and `pay` arrive in.
 */
function macBytes(value: string): Uint8Array | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return Uint8Array.from(value.match(/../g)!, (h) => parseInt(h, 16));
  try {
    const bytes = fromBase64Url(normaliseBase64(value));
    return bytes.byteLength === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/** Whether `claim` is the HMAC-SHA256 of `data` under the token's key (the seed's "signed request"/"signed payload"). */
async function isKeyMac(claim: string, data: string, key: CryptoKey | undefined): Promise<boolean> {
  const mac = key ? macBytes(claim) : null;
  return mac !== null && crypto.subtle.verify("HMAC", key!, mac, encoder.encode(data));
}

/**
 * `req` is the request, "METHOD /path" (query string optional): as text, or signed as the early
 * Notify API describes it, the HMAC-SHA256 of that text under the key (hex or base64).
 */
export async function checkRequestClaim(claims: TokenClaims, method: string, path: string, search: string, key?: CryptoKey): Promise<void> {
  if (claims.req === undefined) return;
  const expected = [`${method.toUpperCase()} ${path}`, `${method.toUpperCase()} ${path}${search}`];
  if (typeof claims.req === "string") {
    const given = claims.req.trim();
    if (expected.includes(given)) return;
    for (const text of expected) if (await isKeyMac(given, text, key)) return;
  }
  throw refuse(`Invalid token: req claim does not match this request (expected "${expected[0]}", or its HMAC-SHA256 with your key)`);
}

/**
 * `pay` is the raw body's SHA-256, or (the early Notify API's "signed payload") its HMAC-SHA256
 * under the key; hex or base64(url).
 */
export async function checkPayloadClaim(claims: TokenClaims, rawBody: () => Promise<string>, key?: CryptoKey): Promise<void> {
  if (claims.pay === undefined) return;
  if (typeof claims.pay !== "string") throw refuse("Invalid token: pay claim must be a string");
  const body = await rawBody();
  const digest = await sha256(body);
  const given = claims.pay.trim();
  const matches = given.toLowerCase() === toHex(digest) || normaliseBase64(given) === toBase64Url(digest) || (await isKeyMac(given, body, key));
  if (!matches) throw refuse("Invalid token: pay claim does not match the SHA-256 (or HMAC-SHA256 with your key) of the request body");
}

function normaliseBase64(value: string): string {
  return value.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
