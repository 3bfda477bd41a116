import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAdminApp } from "../../src/admin/app";
import { createDb } from "../../src/db/client";
import { ensureSystemTenant } from "../../src/services/tenants/system-tenant";
import { json } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, signInAsOperator, userSession } from "./helpers";
import { BASE } from "../helpers/http";

const db = createDb(env.DB);

/** Every form post a tenant's screens take, read from the admin app itself (screens added later are covered too). */
const tenantPosts = buildAdminApp()
  .routes.filter((r) => r.method === "POST" && !r.path.startsWith("/tenants") && !r.path.startsWith("/sign-") && r.path !== "/view-as/stop" && r.path !== "*" && r.path !== "/*")
  .map((r) => r.path)
  .filter((p, i, all) => all.indexOf(p) === i);

type Row = { actor: string; action: string; target: string; detail: string | null };
const auditOf = async (tenantId: string) => (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? ORDER BY at, id").bind(tenantId).all<Row>()).results;

/** What a refused post must not have changed: the tenant's rows of each kind a screen writes, and its settings. */
const stateOf = async (tenantId: string) =>
  env.DB.prepare(
    `SELECT (SELECT count(*) FROM templates WHERE tenant_id = ?1) AS templates, (SELECT count(*) FROM api_keys WHERE tenant_id = ?1 AND revoked_at IS NULL) AS keys,
            (SELECT count(*) FROM notifications WHERE tenant_id = ?1) AS notifications, (SELECT count(*) FROM recipient_groups WHERE tenant_id = ?1) AS groups,
            (SELECT count(*) FROM suppressions WHERE tenant_id = ?1) AS suppressions, (SELECT count(*) FROM event_types WHERE tenant_id = ?1) AS eventTypes,
            (SELECT settings FROM tenants WHERE id = ?1) AS settings, (SELECT limits FROM tenants WHERE id = ?1) AS limits`,
  )
    .bind(tenantId)
    .first();

let t: TestTenant;
let other: TestTenant;
let templateId: string;
let otherTemplateId: string;
beforeAll(async () => {
  [t, other] = await Promise.all([createTestTenant("Viewed tenant"), createTestTenant("Not viewed tenant")]);
  const body = { channel: "email", subject: "Hi ((name))", body: "Hello ((name))" };
  templateId = (await json<{ id: string }>(await asTenant(t, "POST", "/api/v1/templates", { body: { ...body, name: "Viewed template" } }))).id;
  otherTemplateId = (await json<{ id: string }>(await asTenant(other, "POST", "/api/v1/templates", { body: { ...body, name: "Someone else's template" } }))).id;
});
afterAll(() => settleQueues());

describe("admin UI: an operator's read-only view as a tenant", () => {
  it("starts after a confirmation, shows the tenant's screens as its read role with a banner on every page, refuses every post, audits every page, and stops", async () => {
    const operator = await signInAsOperator();
    const detail = await (await getPage(`/admin/tenants/${t.id}`, operator)).text();
    expect(detail).toContain(`href="/admin/tenants/${t.id}/view-as"`);
    const confirm = await getPage(`/admin/tenants/${t.id}/view-as`, operator);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain(`<form method="post" action="/admin/tenants/${t.id}/view-as">`);
    // Before it starts, the operator has no tenant screens.
    expect((await getPage("/admin/dashboard", operator)).status).toBe(403);

    const started = await postForm(`/admin/tenants/${t.id}/view-as`, {}, { cookie: operator });
    expect([started.status, started.headers.get("location")]).toEqual([303, "/admin/dashboard"]);
    // The start page leads to the viewed tenant's dashboard, not the operator's tenants list.
    expect((await getPage("/admin", operator)).headers.get("location")).toBe("/admin/dashboard");

    const pages = ["/admin/dashboard", "/admin/templates", `/admin/templates/${templateId}`, "/admin/activity", "/admin/event-types", "/admin/recipients/groups", "/admin/recipients/suppressions", "/admin/settings", "/admin/settings/defaults"];
    for (const path of pages) {
      const res = await getPage(path, operator);
      const html = await res.text();
      expect([path, res.status]).toEqual([path, 200]);
      expect(html, path).toContain("Viewing Viewed tenant as operator, read only.");
      expect(html, path).toContain('<form method="post" action="/admin/view-as/stop">');
      expect(html, path).not.toContain("Not viewed tenant");
    }
    expect(await (await getPage("/admin/templates", operator)).text()).toContain("Viewed template");
    // The read role: no manage or send screens, no create links.
    for (const path of ["/admin/settings/api-keys", "/admin/settings/audit", "/admin/send", "/admin/templates/new"]) expect([path, (await getPage(path, operator)).status]).toEqual([path, 403]);
    // Another tenant's ids are 404s: the tenant is the session's.
    const foreign = await getPage(`/admin/templates/${otherTemplateId}`, operator);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain("Someone else's template");

    // Every form post of the tenant's screens is refused, and nothing changes.
    expect(tenantPosts.length).toBeGreaterThan(10);
    const before = await stateOf(t.id);
    const fields = { name: "Taken over", subject: "x", body: "x", channel: "email", recipient: "x@example.com", to: "x@example.com", email: "x@example.com", role: "manage", type: "live", permissions: "manage", confirm: "yes", members: "a@example.com", code: "x" };
    for (const path of tenantPosts) {
      const concrete = `/admin${path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, () => (path.startsWith("/templates/") ? templateId : crypto.randomUUID()))}`;
      const res = await postForm(concrete, fields, { cookie: operator });
      expect([concrete, res.status]).toEqual([concrete, 403]);
      expect(await res.text()).toContain("read only");
    }
    // The operator's own forms too, while viewing.
    for (const path of [`/admin/tenants/${t.id}/limits`, `/admin/tenants/${other.id}/status`, "/admin/tenants", `/admin/tenants/${other.id}/view-as`]) {
      expect([path, (await postForm(path, { dailyEmail: "1", status: "trial", name: "x" }, { cookie: operator })).status]).toEqual([path, 403]);
    }
    expect(await stateOf(t.id)).toEqual(before);
    expect((await json<{ name: string; version: number }>(await asTenant(t, "GET", `/api/v1/templates/${templateId}`))).version).toBe(1);

    // A cross-site post cannot stop (or do) anything.
    const csrf = await postForm("/admin/view-as/stop", {}, { cookie: operator, headers: { origin: "https://evil.example" } });
    expect(csrf.status).toBe(403);
    expect((await getPage("/admin/dashboard", operator)).status).toBe(200);

    const stopped = await postForm("/admin/view-as/stop", {}, { cookie: operator });
    expect([stopped.status, stopped.headers.get("location")]).toEqual([303, `/admin/tenants/${t.id}`]);
    expect((await getPage("/admin/dashboard", operator)).status).toBe(403);
    const back = await (await getPage("/admin/tenants", operator)).text();
    expect(back).not.toContain("read only.");
    // The operator's forms work again.
    expect((await postForm(`/admin/tenants/${t.id}/limits`, { requestsPerMinute: "", dailyEmail: "", dailySms: "", dailyMsgApp: "" }, { cookie: operator })).status).toBe(303);

    const entries = await auditOf(t.id);
    const mine = entries.filter((e) => e.action.startsWith("admin.operator.view_as"));
    expect(mine.every((e) => e.actor === "operator")).toBe(true);
    expect(mine[0]).toMatchObject({ action: "admin.operator.view_as_started", target: `tenant:${t.id}` });
    expect(mine.at(-1)).toMatchObject({ action: "admin.operator.view_as_stopped", target: `tenant:${t.id}` });
    const views = mine.filter((e) => e.action === "admin.operator.view_as");
    for (const path of pages) expect(views.map((v) => v.target), path).toContain(path);
    expect(views.find((v) => v.target === "/admin/dashboard")!.detail).toBe(JSON.stringify({ method: "GET", status: 200 }));
    // Refused posts are on record too.
    expect(views.some((v) => JSON.parse(v.detail!).method === "POST" && JSON.parse(v.detail!).status === 403)).toBe(true);
    expect((await auditOf(other.id)).filter((e) => e.action === "admin.operator.view_as")).toHaveLength(0);
  });

  it("is for operators only, never the system tenant's, and an unknown tenant is a 404", async () => {
    const user = await userSession(other, "manage");
    expect((await getPage(`/admin/tenants/${t.id}/view-as`, user)).status).toBe(403);
    expect((await postForm(`/admin/tenants/${t.id}/view-as`, {}, { cookie: user })).status).toBe(403);
    expect((await postForm("/admin/view-as/stop", {}, { cookie: user })).status).toBe(403);
    expect((await postForm(`/admin/tenants/${t.id}/view-as`, {})).status).toBe(403);
    // The user's session still belongs to its own tenant and role.
    const tpl = await getPage(`/admin/templates/${templateId}`, user);
    expect(tpl.status).toBe(404);
    expect((await getPage("/admin/settings/api-keys", user)).status).toBe(200);

    const operator = await signInAsOperator();
    const system = await ensureSystemTenant({ db, env, now: new Date() });
    expect((await getPage(`/admin/tenants/${system.id}/view-as`, operator)).status).toBe(422);
    expect((await postForm(`/admin/tenants/${system.id}/view-as`, {}, { cookie: operator })).status).toBe(422);
    expect((await getPage("/admin/dashboard", operator)).status).toBe(403);
    expect((await postForm(`/admin/tenants/${crypto.randomUUID()}/view-as`, {}, { cookie: operator })).status).toBe(404);
    expect((await postForm(`/admin/tenants/${t.id}/view-as`, {}, { cookie: operator, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await postForm(`/admin/tenants/${t.id}/view-as`, {}, { cookie: operator, headers: { origin: BASE, "content-type": "application/json" } })).status).toBe(403);
    expect((await getPage("/admin/dashboard", operator)).status).toBe(403);
    // Stopping when not viewing just goes back to the tenants.
    const stop = await postForm("/admin/view-as/stop", {}, { cookie: operator });
    expect([stop.status, stop.headers.get("location")]).toEqual([303, "/admin/tenants"]);
  });

  it("ends with the session: signing out while viewing leaves nothing behind", async () => {
    const operator = await signInAsOperator();
    expect((await postForm(`/admin/tenants/${t.id}/view-as`, {}, { cookie: operator })).status).toBe(303);
    expect((await getPage("/admin/templates", operator)).status).toBe(200);
    expect((await postForm("/admin/sign-out", {}, { cookie: operator })).status).toBe(303);
    const after = await getPage("/admin/templates", operator);
    expect([after.status, after.headers.get("location")]).toEqual([303, "/admin/sign-in"]);
    // A fresh operator sign-in starts without a tenant.
    expect((await getPage("/admin/dashboard", await signInAsOperator())).status).toBe(403);
  });
});
