import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { adminUsers } from "../../src/db/schema";
import { audit } from "../../src/services/admin-identity";
import { call, json, notifyToken } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

const db = createDb(env.DB);
const userId = crypto.randomUUID();

/** Each row's action cell, in page order. */
const actionsOf = (html: string) => [...html.matchAll(/<td class="code">([^<]*)<\/td>\s*<td class="code">([^<]*)<\/td>\s*<td class="code">[^<]*<\/td>\s*<td class="code">/g)].map((m) => m[2]!);
const hrefOf = (html: string, rel: "next" | "prev") => {
  const m = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html);
  return m ? m[1]!.replaceAll("&amp;", "&") : null;
};

let a: TestTenant;
let b: TestTenant;
let manager: string;
beforeAll(async () => {
  a = await createTestTenant("Audit A");
  b = await createTestTenant("Audit B");
  await db.insert(adminUsers).values({ id: userId, tenantId: a.id, email: "auditor@example.gov", role: "manage", createdAt: new Date() });
  manager = await userSession(a, "manage", userId);
});
afterAll(() => settleQueues());

describe("admin UI: audit log", () => {
  it("lists UI changes with who, what and when, newest first, linked from settings for manage users", async () => {
    expect(await (await getPage("/admin/settings", manager)).text()).toContain('href="/admin/settings/audit"');
    expect((await postForm("/admin/settings/reply-to", { email: "audited@example.gov" }, { cookie: manager })).status).toBe(303);
    expect((await postForm("/admin/settings/sms-senders", { sender: "AuditA" }, { cookie: manager })).status).toBe(303);
    const row = await env.DB.prepare("SELECT actor, at FROM audit_log WHERE tenant_id = ? AND action = 'reply_to.created'").bind(a.id).first<{ actor: string; at: number }>();
    expect(row?.actor).toBe(`user:${userId}`);

    const res = await getPage("/admin/settings/audit", manager);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(actionsOf(html).slice(0, 2)).toEqual(["sms_sender.created", "reply_to.created"]);
    expect(html).toContain(`<td class="code">user:${userId}</td>`);
    expect(html).toContain(`${new Date(row!.at).toISOString().slice(0, 16).replace("T", " ")} UTC`);
    expect(html).toContain("audited@example.gov");
  });

  it("shows detail JSON escaped", async () => {
    await audit({ db, now: new Date(), tenant: { id: a.id } as never, actor: "operator" }, "test.escaped", "x:1", { html: "<script>alert(1)</script>" });
    const html = await (await getPage("/admin/settings/audit?action=test.escaped", manager)).text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("pages forward and back, and filters by action prefix", async () => {
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < 60; i++) await audit({ db, now: new Date(base + i * 1000), tenant: { id: a.id } as never, actor: "operator" }, `bulk_test.n${String(i).padStart(2, "0")}`, `n:${i}`);
    // A prefix with LIKE's wildcards must match literally.
    await audit({ db, now: new Date(base), tenant: { id: a.id } as never, actor: "operator" }, "bulkXtest.decoy", "n:x");

    const first = await (await getPage("/admin/settings/audit?action=bulk_test.", manager)).text();
    expect(actionsOf(first)).toHaveLength(50);
    expect(actionsOf(first)[0]).toBe("bulk_test.n59");
    expect(hrefOf(first, "prev")).toBeNull();
    const next = hrefOf(first, "next");
    expect(next).toContain("action=bulk_test.");
    const second = await (await getPage(next!, manager)).text();
    expect(actionsOf(second)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk_test.n${String(9 - i).padStart(2, "0")}`));
    expect(hrefOf(second, "next")).toBeNull();
    const back = await (await getPage(hrefOf(second, "prev")!, manager)).text();
    expect(actionsOf(back)).toEqual(actionsOf(first));

    const narrow = await (await getPage("/admin/settings/audit?action=bulk_test.n5", manager)).text();
    expect(actionsOf(narrow)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk_test.n${59 - i}`));
    expect(await (await getPage("/admin/settings/audit?action=nothing.such", manager)).text()).toContain("No entries match this filter");
    const tooLong = await getPage(`/admin/settings/audit?action=${"x".repeat(101)}`, manager);
    expect(tooLong.status).toBe(400);
    expect(await (await getPage("/admin/settings/audit?cursor=bm90LWEtY3Vyc29y", manager)).status).toBe(200);
  });

  it("is manage-only: a read or send user gets 403 and no link", async () => {
    for (const role of ["read", "send"] as const) {
      const cookie = await userSession(a, role);
      expect((await getPage("/admin/settings/audit", cookie)).status).toBe(403);
      expect(await (await getPage("/admin/settings", cookie)).text()).not.toContain('href="/admin/settings/audit"');
    }
  });

  it("never shows another tenant's entries or platform-wide ones", async () => {
    await audit({ db, now: new Date(), tenant: { id: b.id } as never, actor: "operator" }, "other_tenant.secret", `tenant:${b.id}`);
    await audit({ db, now: new Date(), actor: "operator" }, "platform.wide_secret", "");
    const html = await (await getPage("/admin/settings/audit", manager)).text();
    expect(html).not.toContain("other_tenant.secret");
    expect(html).not.toContain("platform.wide_secret");
    const bHtml = await (await getPage("/admin/settings/audit", await userSession(b, "manage"))).text();
    expect(bHtml).toContain("other_tenant.secret");
    expect(bHtml).not.toContain("audited@example.gov");
  });
});

describe("API changes made with a key", () => {
  type Row = { actor: string; action: string; target: string; detail: string | null };
  const rowsOf = async (tenant: TestTenant) => (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? AND actor LIKE 'key:%' ORDER BY at, id").bind(tenant.id).all<Row>()).results;

  it("are audited once each with the key, method and route pattern, and the path's or created id", async () => {
    const c = await createTestTenant("Audit API");
    const created = await asTenant(c, "POST", "/api/v1/templates", { body: { name: "audited", channel: "email", subject: "Hi", body: "Hello", renderer: "gc" } });
    expect(created.status).toBe(201);
    const { id } = await json<{ id: string }>(created);
    expect((await asTenant(c, "PATCH", `/api/v1/templates/${id}`, { body: { body: "Hello again" } })).status).toBe(200);
    expect((await asTenant(c, "POST", "/api/v1/tenant/sms-senders", { body: { sender: "AuditC" } })).status).toBe(201);
    const rows = await rowsOf(c);
    expect(rows.map((r) => [r.actor, r.action, r.target])).toEqual([
      [`key:${c.keyIds.live}`, "POST /api/v1/templates", id],
      [`key:${c.keyIds.live}`, "PATCH /api/v1/templates/{templateId}", id],
      [`key:${c.keyIds.live}`, "POST /api/v1/tenant/sms-senders", expect.any(String)],
    ]);
    expect(JSON.parse(rows[0]!.detail!)).toMatchObject({ status: 201 });

    const page = await (await getPage("/admin/settings/audit?action=PATCH", await userSession(c, "manage"))).text();
    expect(page).toContain(`<td class="code">key:${c.keyIds.live}</td>`);
    expect(page).toContain("PATCH /api/v1/templates/{templateId}");
  });

  it("are not audited for reads, previews, sends, failed or unauthenticated requests, or idempotent replays", async () => {
    const c = await createTestTenant("Audit API quiet");
    const { id } = await json<{ id: string }>(await asTenant(c, "POST", "/api/v1/templates", { body: { name: "e", channel: "email", subject: "Hi ((name))", body: "Dear ((name))", renderer: "gc" } }));
    const before = (await rowsOf(c)).length;
    expect((await asTenant(c, "GET", "/api/v1/templates")).status).toBe(200);
    expect((await asTenant(c, "POST", `/api/v1/templates/${id}/preview`, { body: { params: { name: "x" } } })).status).toBe(200);
    const sent = await call("POST", "/v2/notifications/email", { body: { email_address: "someone@example.com", template_id: id, personalisation: { name: "x" } }, headers: { authorization: `Bearer ${await notifyToken(c.keys.test)}` } });
    expect(sent.status).toBe(201);
    expect((await asTenant(c, "POST", "/api/v1/templates", { body: { name: "" } })).status).toBe(400);
    expect((await asTenant(c, "DELETE", `/api/v1/templates/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await asTenant(c, "PATCH", `/api/v1/templates/${id}`, { key: "not-a-key", body: { body: "x" } })).status).toBeGreaterThanOrEqual(401);
    expect(await rowsOf(c)).toHaveLength(before);

    const idem = { "idempotency-key": '"audit-once"' };
    const first = await asTenant(c, "POST", "/api/v1/suppressions", { headers: idem, body: { channel: "email", recipient: "once@example.com" } });
    expect(first.status).toBe(201);
    const replay = await asTenant(c, "POST", "/api/v1/suppressions", { headers: idem, body: { channel: "email", recipient: "once@example.com" } });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await rowsOf(c)).filter((r) => r.action === "POST /api/v1/suppressions")).toHaveLength(1);
  });
});
