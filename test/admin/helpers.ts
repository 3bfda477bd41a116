import { exports } from "cloudflare:workers";
import { ADMIN_TOKEN, BASE, type CallOptions } from "../helpers/http";

/** Calls the Worker without following redirects (the shared helper's call follows them). */
export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  let body = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body, redirect: "manual" }));
}

/** A same-origin form post, as a browser sends it (with the session cookie, when given). */
export function postForm(path: string, fields: Record<string, string>, options: { cookie?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return call("POST", path, {
    rawBody: new URLSearchParams(fields).toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: BASE,
      "cf-connecting-ip": `198.51.100.${Math.floor(Math.random() * 250)}`,
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
  });
}

/** The `cookie` header value of the session a response's Set-Cookie starts. */
export function sessionCookieOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  const match = /^(__Host-edge_notify_session=[^;]+);/.exec(set);
  if (!match) throw new Error(`no session cookie in ${res.status} ${set}`);
  return match[1]!;
}

/** Signs in as the operator with the admin token; returns the cookie header value. */
export async function signInAsOperator(): Promise<string> {
  const res = await postForm("/admin/sign-in", { token: ADMIN_TOKEN });
  if (res.status !== 303) throw new Error(`operator sign-in: ${res.status}`);
  return sessionCookieOf(res);
}

/** GET with a session cookie. */
export function getPage(path: string, cookie?: string): Promise<Response> {
  return call("GET", path, cookie ? { headers: { cookie } } : {});
}
