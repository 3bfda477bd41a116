import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

/** A preview through the API with `key`: 200 when the key authenticates and may send. */
const previewWith = (key: string) =>
  call("POST", "/api/v1/notifysimple/sms?preview=true", { headers: { "x-api-key": key }, body: { recipients: { to: ["+17787009911"] }, content: { body: "hi" } } });

const auditOf = async (tenant: TestTenant) =>
  (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? ORDER BY at, id").bind(tenant.id).all<{ actor: string; action: string; target: string; detail: string | null }>()).results;

let a: TestTenant;
let b: TestTenant;
let manager: string;
beforeAll(async () => {
  a = await createTestTenant("Keys A");
  b = await createTestTenant("Keys B");
  manager = await userSession(a, "manage");
});
afterAll(() => settleQueues());

describe("admin UI: API keys", () => {
  it("needs the manage role: a read user sees the dashboard but gets 403 on keys", async () => {
    for (const role of ["read", "send"] as const) {
      const cookie = await userSession(a, role);
      expect((await getPage("/admin/dashboard", cookie)).status).toBe(200);
      for (const path of ["/admin/settings/api-keys", "/admin/settings/api-keys/new", `/admin/settings/api-keys/${a.keyIds.test}/revoke`]) {
        const res = await getPage(path, cookie);
        expect([role, path, res.status]).toEqual([role, path, 403]);
      }
      expect((await postForm("/admin/settings/api-keys", { name: "nope", type: "test", permissions: "send" }, { cookie })).status).toBe(403);
      expect((await postForm(`/admin/settings/api-keys/${a.keyIds.test}/revoke`, {}, { cookie })).status).toBe(403);
    }
    expect((await previewWith(a.keys.test)).status).toBe(200);
  });

  it("creates a key shown once that authenticates against the API, and revokes it after a confirmation page", async () => {
    const form = await getPage("/admin/settings/api-keys/new", manager);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form method="post" action="/admin/settings/api-keys"');

    const created = await postForm("/admin/settings/api-keys", { name: "billing", type: "test", permissions: "send" }, { cookie: manager });
    expect(created.status).toBe(200);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const html = await created.text();
    const key = /id="api-key" type="text" readonly="" value="([^"]+)"/.exec(html)?.[1];
    expect(key).toMatch(new RegExp(`^billing-${a.id}-[0-9a-f-]{36}$`));
    expect(html).toContain("This is the only time you will see it.");
    const secret = key!.slice(-36);
    // The copy button's script runs under the page's CSP nonce (no inline script otherwise).
    const nonce = /script-src 'nonce-([^']+)'/.exec(created.headers.get("content-security-policy") ?? "")?.[1];
    expect(html).toContain(`<script nonce="${nonce}">document.getElementById("copy-key")`);

    // The key works against the API, with the chosen permission only.
    expect((await previewWith(key!)).status).toBe(200);
    expect((await call("GET", "/api/v1/notify", { headers: { "x-api-key": key! } })).status).toBe(403);

    // Never shown again: the list names it but holds no part of the secret.
    const list = await (await getPage("/admin/settings/api-keys", manager)).text();
    expect(list).toContain("<td>billing</td>");
    expect(list).not.toContain(secret);
    expect(list).not.toContain(key!);
    const id = new RegExp(`href="/admin/settings/api-keys/([0-9a-f-]{36})/revoke">Revoke<span class="visually-hidden"> billing</span>`).exec(list)?.[1];
    expect(id).toBeDefined();

    const confirm = await getPage(`/admin/settings/api-keys/${id}/revoke`, manager);
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain("Are you sure you want to revoke ‘billing’?");
    expect(confirmHtml).not.toContain(secret);
    // Opening the confirmation page changes nothing.
    expect((await previewWith(key!)).status).toBe(200);

    const revoked = await postForm(`/admin/settings/api-keys/${id}/revoke`, {}, { cookie: manager });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get("location")).toBe("/admin/settings/api-keys?revoked=1");
    expect([401, 403]).toContain((await previewWith(key!)).status);
    const after = await (await getPage("/admin/settings/api-keys?revoked=1", manager)).text();
    expect(after).toContain("API key revoked");
    expect(after).toMatch(/<td>billing<\/td>[\s\S]*?<strong class="tag tag--red">Revoked<\/strong>/);
    // Revoking again is harmless; the page for a revoked key goes back to the list.
    expect((await postForm(`/admin/settings/api-keys/${id}/revoke`, {}, { cookie: manager })).status).toBe(303);
    expect((await getPage(`/admin/settings/api-keys/${id}/revoke`, manager)).status).toBe(303);

    // Audited by who and on what, never with the secret.
    const entries = (await auditOf(a)).filter((e) => e.target === `api_key:${id}`);
    expect(entries.map((e) => e.action)).toEqual(["api_key.created", "api_key.revoked"]);
    expect(entries.every((e) => e.actor.startsWith("user:"))).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(secret);
    expect(JSON.parse(entries[0]!.detail!)).toEqual({ name: "billing", type: "test", permissions: ["send"] });
  });

  it("another tenant's key id is a 404 and its key keeps working", async () => {
    expect((await getPage(`/admin/settings/api-keys/${b.keyIds.live}/revoke`, manager)).status).toBe(404);
    const res = await postForm(`/admin/settings/api-keys/${b.keyIds.live}/revoke`, {}, { cookie: manager });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Page not found");
    expect((await getPage("/admin/settings/api-keys/not-a-key/revoke", manager)).status).toBe(404);
    expect((await previewWith(b.keys.live)).status).toBe(200);
    expect(await (await getPage("/admin/settings/api-keys", manager)).text()).not.toContain(b.keyIds.live);
  });

  it("shows the form's errors: no name, no type, manage on a test key", async () => {
    const empty = await postForm("/admin/settings/api-keys", { name: " " }, { cookie: manager });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(html).toContain('<a href="#name">Enter a name for the key</a>');
    expect(html).toContain('<a href="#type-live">Select the type of key</a>');
    const manage = await postForm("/admin/settings/api-keys", new URLSearchParams([["name", "ops"], ["type", "test"], ["permissions", "read"], ["permissions", "manage"]]) as never, { cookie: manager });
    expect(manage.status).toBe(422);
    expect(await manage.text()).toContain('<a href="#permission-send">Only live keys may have the manage permission');
  });

  it("refuses a form posted from another site (CSRF) and creates nothing", async () => {
    const keys = async () => (await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant_id = ?").bind(a.id).first<{ n: number }>())!.n;
    const before = [(await auditOf(a)).length, await keys()];
    const res = await postForm("/admin/settings/api-keys", { name: "evil", type: "live", permissions: "manage" }, { cookie: manager, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('id="api-key"');
    expect([(await auditOf(a)).length, await keys()]).toEqual(before);
  });
});
