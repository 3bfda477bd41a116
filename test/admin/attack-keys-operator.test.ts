import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminEnv } from "../../src/admin/env";
import { renderError } from "../../src/admin/errors";
import { csrfGuard, loadAdmin, requireAdmin, securityHeaders } from "../../src/admin/middleware";
import { createDb } from "../../src/db/client";
import { requestContext } from "../../src/middleware/request-context";
import { createSession, SESSION_COOKIE } from "../../src/services/admin-identity";
import { asAdmin, BASE } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, sessionCookieOf, signInAsOperator, userSession } from "./helpers";

// From an attack pass (issue 13): forms posted 20 times at once (a double click, a reloaded
// result page) made 20 live API keys nobody saw, 20 identical tenants and 20 invitation emails
// with 20 live links; and an operator session outlived the credential that started it.
const mocks = createProviderMocks();
const db = createDb(env.DB);
const summaryFields = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);
const twenty = <T>(make: () => Promise<T>) => Promise.all(Array.from({ length: 20 }, make));

let tenant: TestTenant;
let operator: string;
let manager: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant(`Attack keys ${crypto.randomUUID().slice(0, 8)}`);
  operator = await signInAsOperator();
  manager = await userSession(tenant, "manage");
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

const liveKeysNamed = async (name: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant_id = ? AND name = ? AND revoked_at IS NULL").bind(tenant.id, name).first<{ n: number }>())!.n;

describe("API keys: a form posted 20 times makes one key", () => {
  it("Settings → API keys: one key, the others a 409 at the name; a revoked key's name can be used again", async () => {
    const results = await twenty(() => postForm("/admin/settings/api-keys", { name: "billing service", type: "live", permissions: "send" }, { cookie: manager }));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(409)]);
    const refused = results.find((r) => r.status === 409)!;
    const html = await refused.text();
    expect(html).toContain("There is a problem");
    expect(summaryFields(html)).toEqual(["name"]);
    expect(html).toContain('value="billing service"');
    expect(await liveKeysNamed("billing service")).toBe(1);
    // Surrounding spaces are trimmed by the service: the same name.
    expect((await postForm("/admin/settings/api-keys", { name: "  billing service ", type: "test", permissions: "read" }, { cookie: manager })).status).toBe(409);

    const { id } = (await env.DB.prepare("SELECT id FROM api_keys WHERE tenant_id = ? AND name = ?").bind(tenant.id, "billing service").first<{ id: string }>())!;
    expect((await postForm(`/admin/settings/api-keys/${id}/revoke`, {}, { cookie: manager })).status).toBe(303);
    expect((await postForm("/admin/settings/api-keys", { name: "billing service", type: "live", permissions: "send" }, { cookie: manager })).status).toBe(200);
    expect(await liveKeysNamed("billing service")).toBe(1);
  });

  it("the operator's tenant page: one key, the others a 409 at the key's name", async () => {
    const results = await twenty(() => postForm(`/admin/tenants/${tenant.id}/api-keys`, { name: "operator made", type: "team", permissions: "send" }, { cookie: operator }));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(409)]);
    const html = await results.find((r) => r.status === 409)!.text();
    expect(summaryFields(html)).toEqual(["key-name"]);
    expect(await liveKeysNamed("operator made")).toBe(1);
  });

  it("the API keeps allowing a name used already (documented)", async () => {
    for (let i = 0; i < 2; i++) expect((await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: "api twice", type: "test" } })).status).toBe(201);
    expect(await liveKeysNamed("api twice")).toBe(2);
  });
});

describe("operator: creating a tenant twice", () => {
  it("20 posts of the form make one tenant; the others are a 409 at the name", async () => {
    const name = `Double submit ${crypto.randomUUID().slice(0, 8)}`;
    const results = await twenty(() => postForm("/admin/tenants", { name, status: "trial" }, { cookie: operator }));
    expect(results.map((r) => r.status).sort()).toEqual([303, ...Array(19).fill(409)]);
    const html = await results.find((r) => r.status === 409)!.text();
    expect(summaryFields(html)).toEqual(["name"]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM tenants WHERE name = ?").bind(name).first<{ n: number }>())!.n).toBe(1);
    // The API is unchanged: it may still make a second.
    expect((await asAdmin("POST", "/api/v1/tenants", { body: { name, status: "trial" } })).status).toBe(201);
  });
});

describe("operator: inviting the same person 20 times at once", () => {
  const mailTo = (email: string) => mocks.captured.ses.filter((m) => m.destination.ToAddresses?.includes(email));
  const tokenOf = (mail: { mime: { text?: string } }) => /\/admin\/sign-in\/link\/([A-Za-z0-9_-]{43})/.exec(mail.mime.text ?? "")![1]!;
  const linksOf = async (email: string) =>
    (
      await env.DB.prepare("SELECT l.token_hash, l.used_at FROM admin_sign_in_links AS l JOIN admin_users AS u ON u.id = l.user_id WHERE u.tenant_id = ? AND u.email = ?")
        .bind(tenant.id, email)
        .all<{ token_hash: string; used_at: number | null }>()
    ).results;

  it("sends one email with one live link; the others are refused at the email field", async () => {
    const email = "twenty@attack.test";
    const results = await twenty(() => postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "manage" }, { cookie: operator }));
    expect(results.map((r) => r.status).sort()).toEqual([303, ...Array(19).fill(422)]);
    const html = await results.find((r) => r.status === 422)!.text();
    expect(summaryFields(html)).toEqual(["email"]);
    expect(html).toContain("less than a minute ago");
    await settleQueues();
    expect(mailTo(email)).toHaveLength(1);
    expect(await linksOf(email)).toHaveLength(1);
    const audits = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE tenant_id = ? AND action = 'admin.user.invited'").bind(tenant.id).first<{ n: number }>();
    expect(audits!.n).toBe(1);
    // The tenants list's invitation form goes through the same guard.
    expect((await postForm("/admin/tenants/invite", { tenantId: tenant.id, email, role: "manage" }, { cookie: operator })).status).toBe(422);
  });

  it("a re-invitation a minute later ends the older unused link in the same batch", async () => {
    const email = "again@attack.test";
    expect((await postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "send" }, { cookie: operator })).status).toBe(303);
    await settleQueues();
    const first = tokenOf(mailTo(email)[0]!);
    // As if sent a minute and a second ago.
    await env.DB.prepare("UPDATE admin_sign_in_links SET expires_at = expires_at - 61000 WHERE user_id = (SELECT id FROM admin_users WHERE tenant_id = ? AND email = ?)").bind(tenant.id, email).run();
    expect((await postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "read" }, { cookie: operator })).status).toBe(303);
    await settleQueues();
    expect(mailTo(email)).toHaveLength(2);
    const second = tokenOf(mailTo(email)[1]!);
    expect(await linksOf(email)).toHaveLength(1);
    expect((await getPage(`/admin/sign-in/link/${first}`)).status).toBe(404);
    expect((await postForm(`/admin/sign-in/link/${first}`, {})).status).toBe(404);
    const signedIn = await postForm(`/admin/sign-in/link/${second}`, {});
    expect(signedIn.status).toBe(303);
    expect((await env.DB.prepare("SELECT role FROM admin_users WHERE tenant_id = ? AND email = ?").bind(tenant.id, email).first<{ role: string }>())!.role).toBe("read");
    // A used link is no bar: the next invitation goes out at once.
    expect((await postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "read" }, { cookie: operator })).status).toBe(303);
  });

  it("the team screen: an invitation posted 20 times sends one email, and Resend within the minute is a 409 page", async () => {
    const email = "team-twenty@attack.test";
    const results = await twenty(() => postForm("/admin/settings/team/invite", { email, role: "read" }, { cookie: manager }));
    expect(results.map((r) => r.status).sort()).toEqual([303, ...Array(19).fill(409)]);
    expect(summaryFields(await results.find((r) => r.status === 409)!.text())).toEqual(["email"]);
    await settleQueues();
    expect(mailTo(email)).toHaveLength(1);
    const { id } = (await env.DB.prepare("SELECT id FROM admin_users WHERE tenant_id = ? AND email = ?").bind(tenant.id, email).first<{ id: string }>())!;
    const resent = await postForm(`/admin/settings/team/${id}/resend`, {}, { cookie: manager });
    expect(resent.status).toBe(409);
    expect(await resent.text()).toContain("less than a minute ago");
    await settleQueues();
    expect(mailTo(email)).toHaveLength(1);
  });

  it("a refused re-invitation changes nothing: not the role, not the person's sessions", async () => {
    const email = "kept@attack.test";
    expect((await postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "manage" }, { cookie: operator })).status).toBe(303);
    expect((await postForm(`/admin/tenants/${tenant.id}/invite`, { email, role: "read" }, { cookie: operator })).status).toBe(422);
    expect((await env.DB.prepare("SELECT role FROM admin_users WHERE tenant_id = ? AND email = ?").bind(tenant.id, email).first<{ role: string }>())!.role).toBe("manage");
    await settleQueues();
    expect(mailTo(email)).toHaveLength(1);
  });
});

describe("operator sessions end with their credential", () => {
  // The admin middleware in front of an operator page, run with an env of the test's choosing.
  function guardedApp() {
    const app = new Hono<AdminEnv>();
    app.use("*", requestContext as never, securityHeaders, csrfGuard, loadAdmin);
    app.onError((err, c) => renderError(c, err));
    app.get("/need/operator", requireAdmin("operator"), (c) => c.text("ok"));
    return app;
  }
  const get = (cookie: string | undefined, extraEnv: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    guardedApp().fetch(new Request(`${BASE}/need/operator`, { headers: { ...(cookie ? { cookie } : {}), ...headers }, redirect: "manual" }), { ...env, ...extraEnv });

  it("rotating ADMIN_TOKEN signs out the sessions the old token started", async () => {
    const cookie = await signInAsOperator();
    expect((await get(cookie)).status).toBe(200);
    expect((await get(cookie, { ADMIN_TOKEN: `${env.ADMIN_TOKEN}-rotated` })).status).toBe(303);
    // A session with no credential recorded (from before it was) holds no longer either.
    const { id } = await createSession({ db, now: new Date() }, { kind: "operator", role: "manage", userId: null, tenantId: null });
    expect((await get(`${SESSION_COOKIE}=${id}`)).status).toBe(303);
    // Back to the token it was started with: still live.
    expect((await get(cookie)).status).toBe(200);
  });

  describe("under Cloudflare Access", () => {
    const team = "attack-keys-test";
    const issuer = `https://${team}.cloudflareaccess.com`;
    const access = { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: "aud-attack-keys" };
    let keys: Awaited<ReturnType<typeof generateKeyPair>>;
    beforeAll(async () => {
      keys = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
      mocks.server.use(http.get(`${issuer}/cdn-cgi/access/certs`, () => HttpResponse.json({ keys: [jwk] })));
    });
    const assertion = (audience = access.ACCESS_AUD) =>
      new SignJWT({ email: "ops@example.gov" }).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime("5m").sign(keys.privateKey);

    it("a session is live only on requests that carry a valid Access assertion", async () => {
      const started = await get(undefined, access, { "cf-access-jwt-assertion": await assertion() });
      expect(started.status).toBe(200);
      const cookie = sessionCookieOf(started);
      expect((await get(cookie, access, { "cf-access-jwt-assertion": await assertion() })).status).toBe(200);
      // The cookie alone (replayed from outside Access, or after Access revoked the person) is signed out.
      expect((await get(cookie, access)).status).toBe(303);
      expect((await get(cookie, access, { "cf-access-jwt-assertion": await assertion("another-app") })).status).toBe(303);
      // A token session from before Access was set up needs the assertion too.
      const token = await signInAsOperator();
      expect((await get(token, access)).status).toBe(303);
    });
  });
});

describe("operator: sign out every operator session", () => {
  it("asks first, then ends every operator session (users' go on), audited", async () => {
    const mine = await signInAsOperator();
    const elsewhere = await signInAsOperator();
    const confirm = await getPage("/admin/sessions", mine);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain('action="/admin/sessions"');
    expect(html).toMatch(/\d+ operator sessions are signed in now/);
    expect(await (await getPage("/admin/providers", mine)).text()).toContain('href="/admin/sessions"');
    // Nothing ended by looking.
    expect((await getPage("/admin/tenants", elsewhere)).status).toBe(200);
    // Users may not.
    expect((await postForm("/admin/sessions", {}, { cookie: manager })).status).toBe(403);

    const ended = await postForm("/admin/sessions", {}, { cookie: mine });
    expect(ended.status).toBe(303);
    expect(ended.headers.get("location")).toBe("/admin/sign-in");
    for (const cookie of [mine, elsewhere, operator]) expect((await getPage("/admin/tenants", cookie)).status).toBe(303);
    expect((await getPage("/admin/dashboard", manager)).status).toBe(200);
    const entry = await env.DB.prepare("SELECT actor, tenant_id FROM audit_log WHERE action = 'admin.operator.sessions_ended' ORDER BY at DESC LIMIT 1").first<{ actor: string; tenant_id: string | null }>();
    expect(entry).toEqual({ actor: "operator", tenant_id: null });
    operator = await signInAsOperator();
  });
});
