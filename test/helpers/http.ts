import { env, exports } from "cloudflare:workers";
import { SignJWT } from "jose";

export const BASE = "http://notify.test";
export const ADMIN_TOKEN = env.ADMIN_TOKEN!;

export interface CallOptions {
  headers?: Record<string, string>;
  /** A value to send as JSON, or a raw string body sent as is. */
  body?: unknown;
  rawBody?: string;
}

/** Calls the real Worker entry point (routing, middleware and all). */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

export function asAdmin(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return call(method, path, { ...options, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...options.headers } });
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** A GOV.UK Notify client's token: `{iss, iat}` HS256 signed with the key's last 36 characters. */
export async function notifyToken(
  combinedKey: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = { typ: "JWT", alg: "HS256" },
): Promise<string> {
  const secret = combinedKey.slice(-36);
  const iss = combinedKey.slice(-73, -37);
  return new SignJWT({ iss, iat: Math.round(Date.now() / 1000), ...claims })
    .setProtectedHeader(header as { alg: string })
    .sign(new TextEncoder().encode(secret));
}
