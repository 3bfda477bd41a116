import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { ensureSystemTenant } from "../../src/services/tenants/system-tenant";
import { call, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { dramaNumber } from "../received-texts/helpers";
import { getPage, postForm, signInAsOperator, userSession } from "./helpers";

const db = createDb(env.DB);

// Invitations are real sends (the system tenant's, through SES): answered here, so no call leaves
// for the network and fails over into a later file's provider mocks as a retry.
const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

/** The cells of each body row of the table captioned `caption`, as text. */
function tableRows(html: string, caption: string): string[][] {
  const at = html.indexOf(`<caption class="table__caption">${caption}</caption>`);
  expect(at, `a table captioned ${caption}`).toBeGreaterThan(-1);
  const table = html.slice(at, html.indexOf("</table>", at));
  const body = table.slice(table.indexOf("<tbody>"));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()));
}

const auditOf = async (tenantId: string) =>
  (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? ORDER BY at, id").bind(tenantId).all<{ actor: string; action: string; target: string; detail: string | null }>()).results;

/** A preview through the API with `key`: 200 when the key authenticates and may send. */
const previewWith = (key: string) =>
  call("POST", "/api/v1/notifysimple/sms?preview=true", { headers: { "x-api-key": key }, body: { recipients: { to: ["+17787009911"] }, content: { body: "hi" } } });

let operator: string;
let other: TestTenant;
beforeAll(async () => {
  operator = await signInAsOperator();
  other = await createTestTenant("Operator screens other");
});
afterAll(() => settleQueues());

describe("admin UI: operator screens", () => {
  it("creates a tenant, lists it, makes it live, sets limits, creates a key shown once and revokes it, assigns and releases an inbound number", async () => {
    expect((await getPage("/admin/tenants/new", operator)).status).toBe(200);
    const created = await postForm("/admin/tenants", { name: "Funding Applications UI", status: "trial" }, { cookie: operator });
    expect(created.status).toBe(303);
    const path = created.headers.get("location")!;
    expect(path).toMatch(/^\/admin\/tenants\/[0-9a-f-]{36}$/);
    const id = path.slice("/admin/tenants/".length);

    const list = await (await getPage("/admin/tenants", operator)).text();
    const row = tableRows(list, "Tenants, newest first, with their messages in the last 7 days").find((r) => r[0]!.startsWith("Funding Applications UI"));
    expect(row).toEqual([`Funding Applications UI ${id}`, "Trial", expect.any(String), "0", "–", expect.stringMatching(/^\d{4}-\d\d-\d\d$/)]);
    expect(list).toContain(`href="${path}"`);

    const detail = await (await getPage(path, operator)).text();
    expect(detail).toContain(id);
    expect(detail).toContain("Emails a day: 50;");

    // Status: a confirmation page, then the change.
    const confirm = await getPage(`${path}/status`, operator);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('<input type="hidden" name="status" value="live"/>');
    expect((await postForm(`${path}/status`, { status: "live" }, { cookie: operator })).status).toBe(303);
    expect(await env.DB.prepare("SELECT status FROM tenants WHERE id = ?").bind(id).first("status")).toBe("live");

    // Limits: refused input is a 422 naming the field; empty means the default.
    const badLimits = await postForm(`${path}/limits`, { requestsPerMinute: "", dailyEmail: "lots", dailySms: "-1", dailyMsgApp: "" }, { cookie: operator });
    expect(badLimits.status).toBe(422);
    const badHtml = await badLimits.text();
    expect(badHtml).toContain('href="#dailyEmail"');
    expect(badHtml).toContain('href="#dailySms"');
    expect((await postForm(`${path}/limits`, { requestsPerMinute: "", dailyEmail: "1,000", dailySms: "", dailyMsgApp: "" }, { cookie: operator })).status).toBe(303);
    expect(JSON.parse((await env.DB.prepare("SELECT limits FROM tenants WHERE id = ?").bind(id).first<string>("limits"))!)).toEqual({ dailyEmail: 1000 });

    // A key, shown once.
    const keyPage = await postForm(`${path}/api-keys`, { name: "ci", type: "live", permissions: "send" }, { cookie: operator });
    expect(keyPage.status).toBe(200);
    const key = /id="api-key" type="text" readonly="" value="([^"]+)"/.exec(await keyPage.text())?.[1];
    expect(key).toMatch(new RegExp(`^ci-${id}-[0-9a-f-]{36}$`));
    expect((await previewWith(key!)).status).toBe(200);
    const withKey = await (await getPage(path, operator)).text();
    expect(withKey).not.toContain(key!.slice(-36));
    const keyId = /\/api-keys\/([0-9a-f-]{36})\/revoke/.exec(withKey)?.[1];
    expect(keyId).toBeDefined();
    expect((await getPage(`${path}/api-keys/${keyId}/revoke`, operator)).status).toBe(200);
    expect((await postForm(`${path}/api-keys/${keyId}/revoke`, {}, { cookie: operator })).status).toBe(303);
    expect((await previewWith(key!)).status).toBe(403);
    // Another tenant's key is not this tenant's.
    expect((await getPage(`${path}/api-keys/${other.keyIds.live}/revoke`, operator)).status).toBe(404);

    // An inbound number, then its release after a confirmation page.
    const number = dramaNumber();
    expect((await postForm(`${path}/inbound-numbers`, { number }, { cookie: operator })).status).toBe(303);
    const withNumber = await (await getPage(path, operator)).text();
    expect(tableRows(withNumber, "Numbers that receive texts for this tenant").map((r) => r[0])).toEqual([number]);
    // The same number for another tenant is a 409 shown at the field.
    const taken = await postForm(`/admin/tenants/${other.id}/inbound-numbers`, { number }, { cookie: operator });
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain("already receives texts");
    const senderId = /\/inbound-numbers\/([0-9a-f-]{36})\/release/.exec(withNumber)?.[1];
    expect((await getPage(`${path}/inbound-numbers/${senderId}/release`, operator)).status).toBe(200);
    expect((await postForm(`${path}/inbound-numbers/${senderId}/release`, {}, { cookie: operator })).status).toBe(303);
    expect(await (await getPage(path, operator)).text()).toContain("No inbound numbers");

    // Invitation from the tenant's page.
    expect((await postForm(`${path}/invite`, { email: "admin@funding.test", role: "manage" }, { cookie: operator })).status).toBe(303);

    const entries = await auditOf(id);
    expect(entries.map((e) => e.action)).toEqual([
      "tenant.created",
      "tenant.status_changed",
      "tenant.limits_changed",
      "api_key.created",
      "api_key.revoked",
      "inbound_number.assigned",
      "inbound_number.released",
      "admin.user.invited",
    ]);
    expect(entries.every((e) => e.actor === "operator")).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(key!.slice(-36));
  });

  it("shows each tenant's 7-day volume and failure rate in the list", async () => {
    const t = await createTestTenant("Operator volume");
    const ids: string[] = [];
    for (const to of ["ok@example.com", "perm-fail@simulator.notify"]) {
      const res = await asTenant(t, "POST", "/api/v1/notifysimple/email", { key: t.keys.test, body: { recipients: { to: [to] }, content: { subject: "s", body: "b" } } });
      expect(res.status).toBeLessThan(300);
      ids.push((await json(res)).notifyId);
    }
    await settleQueues();
    for (const id of ids) await waitForNotification(t, id);
    const rows = tableRows(await (await getPage("/admin/tenants", operator)).text(), "Tenants, newest first, with their messages in the last 7 days");
    const row = rows.find((r) => r[0]!.startsWith("Operator volume"));
    expect(row?.slice(1, 5)).toEqual(["Live", expect.any(String), "2", "50%"]);
  });

  it("shows the providers' circuits", async () => {
    const res = await getPage("/admin/providers", operator);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<caption class="table__caption">Email providers, checked|No email providers are configured/);
    expect(html).toContain('aria-current="page"');
  });

  it("is for operators only: a tenant user gets 403 on every page and post, no one signed in is sent to sign in", async () => {
    const user = await userSession(other, "manage");
    const base = `/admin/tenants/${other.id}`;
    const gets = ["/admin/tenants", "/admin/tenants/new", base, `${base}/status`, `${base}/api-keys/${other.keyIds.live}/revoke`, `${base}/inbound-numbers/${other.keyIds.live}/release`, "/admin/providers"];
    for (const path of gets) {
      expect([path, (await getPage(path, user)).status]).toEqual([path, 403]);
      const anon = await getPage(path);
      expect([path, anon.status, anon.headers.get("location")]).toEqual([path, 303, "/admin/sign-in"]);
    }
    const posts: [string, Record<string, string>][] = [
      ["/admin/tenants", { name: "x", status: "live" }],
      ["/admin/tenants/invite", { tenantId: other.id, email: "x@example.com", role: "manage" }],
      [`${base}/status`, { status: "trial" }],
      [`${base}/limits`, { dailyEmail: "1" }],
      [`${base}/api-keys`, { name: "x", type: "live", permissions: "send" }],
      [`${base}/api-keys/${other.keyIds.live}/revoke`, {}],
      [`${base}/inbound-numbers`, { number: "+447700900123" }],
      [`${base}/invite`, { email: "x@example.com", role: "manage" }],
    ];
    for (const [path, fields] of posts) {
      expect([path, (await postForm(path, fields, { cookie: user })).status]).toEqual([path, 403]);
      expect([path, (await postForm(path, fields)).status]).toEqual([path, 403]);
    }
    expect((await previewWith(other.keys.live)).status).toBe(200);
    expect(await env.DB.prepare("SELECT status FROM tenants WHERE id = ?").bind(other.id).first("status")).toBe("live");
  });

  it("the system tenant refuses keys and invitations in the UI too", async () => {
    const system = await ensureSystemTenant({ db, env, now: new Date() });
    const path = `/admin/tenants/${system.id}`;
    const page = await (await getPage(path, operator)).text();
    expect(page).toContain("The system tenant can have no API keys");
    expect(page).not.toContain(`action="${path}/api-keys"`);
    expect(page).not.toContain(`action="${path}/invite"`);
    const key = await postForm(`${path}/api-keys`, { name: "sneaky", type: "live", permissions: "send" }, { cookie: operator });
    expect(key.status).toBe(422);
    expect(await key.text()).not.toContain('id="api-key"');
    expect((await postForm(`${path}/invite`, { email: "x@example.com", role: "manage" }, { cookie: operator })).status).toBe(422);
    expect(page).not.toContain(`href="${path}/status"`);
    expect((await postForm(`${path}/status`, { status: "trial" }, { cookie: operator })).status).toBe(422);
    expect(await env.DB.prepare("SELECT status FROM tenants WHERE id = ?").bind(system.id).first("status")).toBe("live");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE tenant_id = ?").bind(system.id).first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM admin_users WHERE tenant_id = ?").bind(system.id).first("n")).toBe(0);
  });

  it("answers odd input with a page, never a 500", async () => {
    const base = `/admin/tenants/${other.id}`;
    const cases: [string, string, Record<string, string> | null, number][] = [
      ["GET", "/admin/tenants/not-a-uuid", null, 404],
      ["GET", "/admin/tenants/00000000-0000-7000-8000-00000000abcd", null, 404],
      ["GET", "/admin/tenants?cursor=%00garbage", null, 400],
      ["GET", `${base}/api-keys/nope/revoke`, null, 404],
      ["GET", `${base}/inbound-numbers/nope/release`, null, 404],
      ["POST", `${base}/inbound-numbers/00000000-0000-7000-8000-00000000abcd/release`, {}, 404],
      ["POST", "/admin/tenants", { name: "", status: "live" }, 422],
      ["POST", "/admin/tenants", { name: "x".repeat(5000), status: "live" }, 422],
      ["POST", "/admin/tenants", { name: "ok", status: "paused" }, 422],
      ["POST", `${base}/status`, { status: "closed" }, 400],
      ["POST", `${base}/limits`, { requestsPerMinute: "0", dailyEmail: "1e9", dailySms: "99999999999999999999", dailyMsgApp: "0x10" }, 422],
      ["POST", `${base}/api-keys`, { name: "", type: "gold", permissions: "root" }, 422],
      ["POST", `${base}/api-keys`, { name: "m", type: "test", permissions: "manage" }, 422],
      ["POST", `${base}/inbound-numbers`, { number: "" }, 422],
      ["POST", `${base}/inbound-numbers`, { number: "ACME" }, 422],
      ["POST", `${base}/inbound-numbers`, { number: "+1".padEnd(500, "9") }, 422],
      ["POST", `${base}/invite`, { email: "not-an-address", role: "manage" }, 422],
      ["POST", `${base}/invite`, { email: "a@example.com", role: "owner" }, 422],
    ];
    for (const [method, path, fields, status] of cases) {
      const res = method === "GET" ? await getPage(path, operator) : await postForm(path, fields!, { cookie: operator });
      expect([method, path, JSON.stringify(fields), res.status]).toEqual([method, path, JSON.stringify(fields), status]);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    }
    expect(await env.DB.prepare("SELECT status, limits FROM tenants WHERE id = ?").bind(other.id).first()).toEqual({ status: "live", limits: "{}" });
  });
});
