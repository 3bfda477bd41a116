import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { MAX_FAILED_SIGN_INS_PER_MINUTE, signInOperator } from "../../src/services/admin-identity/operator";
import { ADMIN_TOKEN, BASE } from "../helpers/http";
import { call } from "./helpers";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  call("POST", `/admin${path}`, { rawBody: body, headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE, "cf-connecting-ip": "203.0.113.9", ...headers } });

describe("admin UI: operator sign-in", () => {
  it("refuses a wrong token, takes the right one and sets the session cookie with every attribute", async () => {
    const wrong = await post("/sign-in", form({ token: "nope" }), { "cf-connecting-ip": "203.0.113.1" });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const right = await post("/sign-in", form({ token: ADMIN_TOKEN }), { "cf-connecting-ip": "203.0.113.1" });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/admin/tenants");
    const cookie = right.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^__Host-edge_notify_session=[A-Za-z0-9_-]{43};/);
    for (const attr of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]) expect(cookie).toContain(attr);
    const id = /=([^;]+)/.exec(cookie)![1]!;
    const tenants = await call("GET", "/admin/tenants", { headers: { cookie: `__Host-edge_notify_session=${id}` } });
    expect(tenants.status).toBe(200);
    const html = await tenants.text();
    expect(html).toContain("Tenants");
    expect(html).not.toContain(ADMIN_TOKEN);
    expect(html).not.toContain(id);
    const csp = tenants.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9_-]+'/);
    expect(csp).not.toContain("unsafe");
  });

  it("limits failed attempts per client", async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await post("/sign-in", form({ token: `wrong-${i}` }), { "cf-connecting-ip": "203.0.113.77" })).status);
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Even the right token is refused until the minute passes.
    expect((await post("/sign-in", form({ token: ADMIN_TOKEN }), { "cf-connecting-ip": "203.0.113.77" })).status).toBe(429);
  });

  it("compares at most the limit's tokens when attempts arrive in parallel (counted before comparing)", async () => {
    // From an attack run: 40 parallel wrong tokens had 6 compared, the check running before any
    // increment landed. One fixed instant, so the attempts share a minute.
    const ctx = { db: createDb(env.DB), env, now: new Date() };
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => signInOperator(ctx, { token: `parallel-${i}`, client: "203.0.113.140" })));
    const reasons = results.map((r) => (r.ok ? "ok" : r.reason));
    expect(reasons.filter((r) => r === "wrong_token")).toHaveLength(MAX_FAILED_SIGN_INS_PER_MINUTE);
    expect(reasons.filter((r) => r === "too_many_attempts")).toHaveLength(40 - MAX_FAILED_SIGN_INS_PER_MINUTE);
    expect((await signInOperator(ctx, { token: ADMIN_TOKEN, client: "203.0.113.140" })).ok).toBe(false);

    // Over HTTP too: five 403s (compared, wrong), the rest 429 (refused unheard).
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => post("/sign-in", form({ token: `http-${i}` }), { "cf-connecting-ip": "203.0.113.141" }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 403).length).toBeLessThanOrEqual(MAX_FAILED_SIGN_INS_PER_MINUTE * 2); // a minute may turn mid-run
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it("does not count a right token against the client's minute", async () => {
    const ctx = { db: createDb(env.DB), env, now: new Date() };
    for (let i = 0; i < MAX_FAILED_SIGN_INS_PER_MINUTE + 2; i++) expect((await signInOperator(ctx, { token: ADMIN_TOKEN, client: "203.0.113.142" })).ok).toBe(true);
    for (let i = 0; i < MAX_FAILED_SIGN_INS_PER_MINUTE; i++) expect(await signInOperator(ctx, { token: "wrong", client: "203.0.113.142" })).toEqual({ ok: false, reason: "wrong_token" });
    expect(await signInOperator(ctx, { token: "wrong", client: "203.0.113.142" })).toEqual({ ok: false, reason: "too_many_attempts" });
  });

  it("refuses cross-site posts and JSON bodies (CSRF)", async () => {
    expect((await post("/sign-in", form({ token: ADMIN_TOKEN }), { origin: "https://evil.example" })).status).toBe(403);
    expect((await call("POST", "/admin/sign-in", { rawBody: form({ token: ADMIN_TOKEN }), headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(403);
    expect((await call("POST", "/admin/sign-in", { body: { token: ADMIN_TOKEN }, headers: { origin: BASE } })).status).toBe(403);
    const sameSite = await call("POST", "/admin/sign-in", { rawBody: form({ token: ADMIN_TOKEN }), headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", "cf-connecting-ip": "203.0.113.5" } });
    expect(sameSite.status).toBe(303);
    // `Origin: null` (a hidden origin) is decided by Sec-Fetch-Site alone.
    expect((await post("/sign-in", form({ token: ADMIN_TOKEN }), { origin: "null", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post("/sign-in", form({ token: ADMIN_TOKEN }), { origin: "null" })).status).toBe(403);
    expect((await post("/sign-in", form({ token: ADMIN_TOKEN }), { origin: "null", "sec-fetch-site": "same-origin", "cf-connecting-ip": "203.0.113.8" })).status).toBe(303);
  });

  it("redirects to sign-in without a session, and sign-out ends the session", async () => {
    const anon = await call("GET", "/admin/tenants");
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/admin/sign-in");
    const signIn = await post("/sign-in", form({ token: ADMIN_TOKEN }), { "cf-connecting-ip": "203.0.113.6" });
    const cookie = `__Host-edge_notify_session=${/=([^;]+)/.exec(signIn.headers.get("set-cookie")!)![1]}`;
    expect((await call("GET", "/admin/tenants", { headers: { cookie } })).status).toBe(200);
    expect((await post("/sign-out", "", { cookie })).status).toBe(303);
    expect((await call("GET", "/admin/tenants", { headers: { cookie } })).status).toBe(303);
  });
});
