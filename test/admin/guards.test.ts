import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantContextOf } from "../../src/admin/context";
import type { AdminEnv } from "../../src/admin/env";
import { renderError } from "../../src/admin/errors";
import { csrfGuard, loadAdmin, requireAdmin, securityHeaders } from "../../src/admin/middleware";
import { createDb } from "../../src/db/client";
import { requestContext } from "../../src/middleware/request-context";
import { createSession, operatorCredential, SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS } from "../../src/services/admin-identity";
import { getNotification } from "../../src/services/notifications/notifications";
import { BASE, json } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A throwaway app with the admin middleware in front of pages that need each role, and one that
// reads a notification by id through the session's ServiceContext: what screens will do.
function guardedApp() {
  const app = new Hono<AdminEnv>();
  app.use("*", requestContext as never, securityHeaders, csrfGuard, loadAdmin);
  app.onError((err, c) => renderError(c, err));
  for (const need of ["read", "send", "manage", "operator"] as const) app.get(`/need/${need}`, requireAdmin(need), (c) => c.text("ok"));
  app.get("/notifications/:id", requireAdmin("read"), async (c) => c.text((await getNotification(await tenantContextOf(c), c.req.param("id"))).notifyId));
  return app;
}

const db = createDb(env.DB);
async function sessionFor(tenant: TestTenant | null, role: "read" | "send" | "manage", now = new Date()): Promise<string> {
  const { id } = await createSession({ db, now }, tenant ? { kind: "user", role, userId: null, tenantId: tenant.id } : { kind: "operator", role: "manage", userId: null, tenantId: null, credential: await operatorCredential(env) });
  return `${SESSION_COOKIE}=${id}`;
}
const get = (app: Hono<AdminEnv>, path: string, cookie?: string, extraEnv: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  app.fetch(new Request(`${BASE}${path}`, { headers: { ...(cookie ? { cookie } : {}), ...headers }, redirect: "manual" }), { ...env, ...extraEnv });

let a: TestTenant;
let b: TestTenant;
beforeAll(async () => {
  a = await createTestTenant("Guards A");
  b = await createTestTenant("Guards B");
});
afterAll(() => settleQueues());

describe("admin UI guards", () => {
  it("roles map onto key permissions: read < send < manage; operator pages are operators' only", async () => {
    const app = guardedApp();
    const expected = { read: ["read"], send: ["read", "send"], manage: ["read", "send", "manage"] } as const;
    for (const role of ["read", "send", "manage"] as const) {
      const cookie = await sessionFor(a, role);
      for (const need of ["read", "send", "manage", "operator"] as const) {
        const res = await get(app, `/need/${need}`, cookie);
        expect([role, need, res.status]).toEqual([role, need, (expected[role] as readonly string[]).includes(need) ? 200 : 403]);
      }
    }
    const operator = await sessionFor(null, "manage");
    expect((await get(app, "/need/operator", operator)).status).toBe(200);
    expect((await get(app, "/need/read", operator)).status).toBe(403);
    const anonymous = await get(app, "/need/read");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/admin/sign-in");
  });

  it("the tenant is the session's: another tenant's notification id is a 404 page", async () => {
    const app = guardedApp();
    const send = async (t: TestTenant) =>
      (await json(await asTenant(t, "POST", "/api/v1/notifysimple/sms", { key: t.keys.test, body: { recipients: { to: ["+17787009911"] }, content: { body: "hi" } } }))).notifyId as string;
    const ofA = await send(a);
    const ofB = await send(b);
    const cookie = await sessionFor(a, "read");
    expect(await (await get(app, `/notifications/${ofA}`, cookie)).text()).toBe(ofA);
    const other = await get(app, `/notifications/${ofB}`, cookie);
    expect(other.status).toBe(404);
    expect(other.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await other.text()).toContain("Page not found");
  });

  it("a session ends after 30 idle minutes and 12 hours in all", async () => {
    const app = guardedApp();
    const idle = await sessionFor(a, "read", new Date(Date.now() - SESSION_IDLE_MS - 1000));
    expect((await get(app, "/need/read", idle)).status).toBe(303);
    // Used a minute ago but begun 12 hours ago: over.
    const { id } = await createSession({ db, now: new Date(Date.now() - SESSION_ABSOLUTE_MS - 1000) }, { kind: "user", role: "read", userId: null, tenantId: a.id });
    expect((await get(app, "/need/read", `${SESSION_COOKIE}=${id}`)).status).toBe(303);
    expect((await get(app, "/need/read", `${SESSION_COOKIE}=not-a-session-id`)).status).toBe(303);
  });

  describe("Cloudflare Access", () => {
    const team = "edge-notify-test";
    const issuer = `https://${team}.cloudflareaccess.com`;
    const access = { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: "aud-tag-123" };
    let keys: Awaited<ReturnType<typeof generateKeyPair>>;
    const server = setupServer();
    beforeAll(async () => {
      keys = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
      server.use(http.get(`${issuer}/cdn-cgi/access/certs`, () => HttpResponse.json({ keys: [jwk] })));
      server.listen({ onUnhandledRequest: "error" });
    });
    afterAll(() => server.close());
    const assertion = (claims: { aud?: string; iss?: string }) =>
      new SignJWT({ email: "ops@example.gov" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(claims.iss ?? issuer)
        .setAudience(claims.aud ?? access.ACCESS_AUD)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(keys.privateKey);

    it("a valid assertion starts an operator session; a wrong audience or issuer does not", async () => {
      const app = guardedApp();
      const ok = await get(app, "/need/operator", undefined, access, { "cf-access-jwt-assertion": await assertion({}) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("set-cookie")).toMatch(/^__Host-edge_notify_session=/);
      for (const bad of [{ aud: "another-app" }, { iss: "https://evil.cloudflareaccess.com" }]) {
        expect((await get(app, "/need/operator", undefined, access, { "cf-access-jwt-assertion": await assertion(bad) })).status).toBe(303);
      }
      // Without Access configured the header means nothing.
      expect((await get(app, "/need/operator", undefined, {}, { "cf-access-jwt-assertion": await assertion({}) })).status).toBe(303);
    });
  });
});
