import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { createDb } from "../../src/db/client";
import type { AdminRole } from "../../src/db/schema";
import { createSession, SESSION_COOKIE } from "../../src/services/admin-identity";
import { ADMIN_TOKEN, BASE, type CallOptions, json } from "../helpers/http";
import { asTenant, type TestTenant } from "../helpers/tenants";

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

/**
 * The `cookie` header value of a tenant user's session in `role`, made directly in D1 (no
 * sign-in link or mail); `userId` ties it to a member row when the test needs one.
 *
 * @example
 * const reader = await userSession(tenant, "read");
 * expect((await getPage("/admin/templates", reader)).status).toBe(200);
 */
export async function userSession(tenant: Pick<TestTenant, "id">, role: AdminRole, userId: string | null = null): Promise<string> {
  const { id } = await createSession({ db: createDb(env.DB), now: new Date() }, { kind: "user", role, userId, tenantId: tenant.id });
  return `${SESSION_COOKIE}=${id}`;
}

/**
 * Creates something through the tenant's API with its live key (201 expected) and answers its id.
 *
 * @example
 * const eventTypeId = await apiPost(tenant, "/api/v1/notifyevent/types", { code: "x", name: "X" });
 */
export async function apiPost(tenant: TestTenant, path: string, body: Record<string, unknown>): Promise<string> {
  const res = await asTenant(tenant, "POST", path, { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

/**
 * Creates a template through the API (the screens under test use it; the UI's own create is tested in templates.test.ts).
 *
 * @example
 * const templateId = await apiTemplate(tenant, { name: "Codes", channel: "sms", body: "Code {{code}}" });
 */
export function apiTemplate(tenant: TestTenant, body: Record<string, unknown>): Promise<string> {
  return apiPost(tenant, "/api/v1/templates", body);
}
