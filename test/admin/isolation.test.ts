import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../src/admin/app";
import { createDb } from "../../src/db/client";
import { createSession, operatorCredential, SESSION_COOKIE } from "../../src/services/admin-identity";
import { BASE, json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

const db = createDb(env.DB);

/**
 * The admin UI's part of the tenant-isolation contract (test/contract covers the API, which
 * takes keys; these pages take a session). Every admin route with an id in its path, read from
 * the admin app itself so screens added later are covered too, is called by a `manage` user of
 * tenant B with tenant A's real ids: GETs answer the 404 page, posts change nothing of A's.
 */
const routes = buildAdminApp()
  // Sign-in links carry a token, not a tenant's id; operator pages are checked as 403s below.
  .routes.filter((r) => (r.method === "GET" || r.method === "POST") && r.path.includes("/:") && !r.path.startsWith("/sign-in/"))
  .map((r) => ({ method: r.method, path: r.path }))
  .filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);

describe("contract: another tenant's ids in admin UI routes are 404s (operator pages 403s)", () => {
  let a: TestTenant;
  let b: TestTenant;
  let cookie: string;
  /** An operator viewing tenant B read only (screens/operator/view-as.tsx): the tenant is the session's as well. */
  let viewer: string;
  const ids: Record<string, string> = {};
  const templateName = `Isolated ${crypto.randomUUID()}`;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
    cookie = await userSession(b, "manage");
    viewer = `${SESSION_COOKIE}=${(await createSession({ db, now: new Date() }, { kind: "operator", role: "manage", userId: null, tenantId: b.id, credential: await operatorCredential(env) })).id}`;
    const template = await asTenant(a, "POST", "/api/v1/templates", { body: { name: templateName, channel: "email", subject: "Hi ((name))", body: "Hello ((name))" } });
    expect(template.status).toBe(201);
    ids.template = (await json<{ id: string }>(template)).id;
    const sent = await asTenant(a, "POST", "/api/v1/notifysimple", { key: a.keys.test, body: { email: { recipients: { to: ["isolated@example.com"] }, content: { subject: "s", body: "b" } } } });
    expect(sent.status, await sent.clone().text()).toBe(201);
    const body = await json<{ id?: string; notifyId?: string }>(sent);
    ids.notification = (body.notifyId ?? body.id)!;
    ids.key = a.keyIds.live;
    const eventType = await asTenant(a, "POST", "/api/v1/notifyevent/types", { body: { code: "isolated", name: templateName, email: { content: { templateId: ids.template }, recipients: { to: ["isolated@example.com"] } } } });
    expect(eventType.status, await eventType.clone().text()).toBe(201);
    ids.eventType = (await json<{ id: string }>(eventType)).id;
    expect((await asTenant(a, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: { targets: { isolated: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/isolated" } } } } })).status).toBe(200);
    ids.chatTarget = "isolated";
    for (const [kind, body] of [["subscriptions", { responseMapping: { email: "to[]" } }], ["attachments", {}]] as const) {
      const service = await asTenant(a, "POST", `/api/v1/service/${kind}`, { body: { name: "isolated-svc", url: "https://svc.example.com/x", ...body } });
      expect(service.status).toBe(201);
      ids[kind] = (await json<{ id: string }>(service)).id;
    }
    ids.member = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO admin_users (id, tenant_id, email, role, created_at) VALUES (?, ?, 'isolated@example.com', 'manage', ?)").bind(ids.member, a.id, Date.now()).run();
    // A mail-merge upload of A's, kept between its check and its send (screens/send/merge-*.tsx).
    const sender = await userSession(a, "send");
    const form = new FormData();
    form.set("file", new File(["email address,name\r\nisolated@example.com,Ann\r\n"], "isolated.csv", { type: "text/csv" }));
    const uploaded = await exports.default.fetch(new Request(`${BASE}/admin/send/${ids.template}/merge`, { method: "POST", body: form, redirect: "manual", headers: { origin: BASE, cookie: sender } }));
    ids.upload = /\/admin\/send\/uploads\/([0-9a-f]{32})$/.exec(uploaded.headers.get("location") ?? "")?.[1] ?? "";
    expect(ids.upload, `${uploaded.status}`).not.toBe("");
  });

  /** Tenant A's chat target, service or team member for the settings routes that take one. */
  const ownFixture = (path: string) =>
    path.startsWith("/settings/chat-targets/") ? ids.chatTarget : path.startsWith("/settings/services/subscriptions/") ? ids.subscriptions : path.startsWith("/settings/services/attachments/") ? ids.attachments : path.startsWith("/settings/team/") ? ids.member : undefined;

  /** Tenant A's event type, merge (a notification), upload or template for the Send screen's routes. */
  const sendFixture = (path: string) => (path.startsWith("/send/event/") ? ids.eventType : path.startsWith("/send/merges/") ? ids.notification : path.startsWith("/send/uploads/") ? ids.upload : path.startsWith("/send/") ? ids.template : undefined);

  /** Tenant A's id of the kind a route's path names; a fresh id for kinds with no fixture yet. */
  function concrete(path: string): string {
    const kind = path.startsWith("/templates/") ? ids.template : path.startsWith("/settings/api-keys/") ? ids.key : path.startsWith("/activity/") ? ids.notification : path.startsWith("/event-types/") ? ids.eventType : ownFixture(path) ?? sendFixture(path);
    let first = true;
    return `/admin${path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, () => {
      const id = first && kind ? kind : crypto.randomUUID();
      first = false;
      return id;
    })}`;
  }

  it("there are id routes to check, with fixtures for templates, API keys and notifications", () => {
    const gets = routes.filter((r) => r.method === "GET").map((r) => r.path);
    expect(gets).toEqual(expect.arrayContaining(["/templates/:id", "/settings/api-keys/:id/revoke", "/activity/:notifyId", "/event-types/:id/test", "/send/uploads/:uploadId", "/send/merges/:notifyId", "/send/event/:id"]));
  });

  it.each(routes.filter((r) => r.method === "GET"))("GET $path with another tenant's id: the 404 page, nothing of theirs", async ({ path }) => {
    const res = await getPage(concrete(path), cookie);
    const html = await res.text();
    // Operator pages (/tenants/:id…) are not a tenant user's at all: 403 whatever the id.
    expect(res.status, concrete(path)).toBe(path.startsWith("/tenants/") ? 403 : 404);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).not.toContain(templateName);
    expect(html).not.toContain("isolated@example.com");
  });

  it.each(routes.filter((r) => r.method === "POST"))("POST $path with another tenant's id: refused, nothing of theirs changes", async ({ path }) => {
    const res = await postForm(concrete(path), { name: "Taken over", subject: "x", body: "x", confirm: "yes" }, { cookie });
    // 404, or a 4xx for the form itself (decided before any lookup, so the same for every id).
    expect(path.startsWith("/tenants/") ? [403] : [400, 404, 409, 422], `${res.status} ${concrete(path)}`).toContain(res.status);
    expect(await res.text()).not.toContain(templateName);
  });

  const tenantRoutes = (method: string) => routes.filter((r) => r.method === method && !r.path.startsWith("/tenants/"));

  it.each(tenantRoutes("GET"))("GET $path with another tenant's id, as an operator viewing B: 404 (or 403 above read), nothing of theirs", async ({ path }) => {
    const res = await getPage(concrete(path), viewer);
    const html = await res.text();
    expect([403, 404], `${res.status} ${concrete(path)}`).toContain(res.status);
    expect(html).not.toContain(templateName);
    expect(html).not.toContain("isolated@example.com");
  });

  it.each(tenantRoutes("POST"))("POST $path with another tenant's id, as an operator viewing B: refused read only", async ({ path }) => {
    const res = await postForm(concrete(path), { name: "Taken over", subject: "x", body: "x", confirm: "yes" }, { cookie: viewer });
    expect(res.status, concrete(path)).toBe(403);
    expect(await res.text()).not.toContain(templateName);
  });

  it("tenant A's template, key and notification are as they were", async () => {
    const template = await json<{ name: string; version: number }>(await asTenant(a, "GET", `/api/v1/templates/${ids.template}`));
    expect(template.name).toBe(templateName);
    expect(template.version).toBe(1);
    expect((await asTenant(a, "GET", "/api/v1/tenant")).status).toBe(200);
    const notification = await asTenant(a, "GET", `/api/v1/notify/${ids.notification}`);
    expect(notification.status).toBe(200);
    expect(await notification.text()).not.toMatch(/cancel/i);
    expect((await json<{ msgApp: { targets: Record<string, unknown> } }>(await asTenant(a, "GET", "/api/v1/tenant/defaults"))).msgApp.targets.isolated).toBeDefined();
    for (const kind of ["subscriptions", "attachments"]) expect((await json<{ name: string }>(await asTenant(a, "GET", `/api/v1/service/${kind}/${ids[kind]}`))).name).toBe("isolated-svc");
    expect((await env.DB.prepare("SELECT role FROM admin_users WHERE id = ?").bind(ids.member).first<{ role: string }>())?.role).toBe("manage");
    expect(await env.BUCKET.head(`merge-uploads/${a.id}/${ids.upload}`), "A's merge upload, unsent").not.toBeNull();
  });
});
