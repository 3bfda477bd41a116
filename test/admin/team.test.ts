import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { type AdminRole, adminUsers } from "../../src/db/schema";
import { systemTenantId } from "../../src/services/tenants/system-tenant";
import { ADMIN_TOKEN, BASE } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { call, getPage, postForm, userSession } from "./helpers";

// Invitations are sent (the system tenant's mail through SES): this file answers them itself.
const mocks = createProviderMocks();
const db = createDb(env.DB);
const TEAM = "/admin/settings/team";

/** A member row made directly (as an accepted invitation leaves it), without mail. */
async function member(tenant: TestTenant, email: string, role: AdminRole, lastSignInAt: Date | null = null): Promise<string> {
  const id = crypto.randomUUID();
  await db.insert(adminUsers).values({ id, tenantId: tenant.id, email, role, createdAt: new Date(Date.now() - 86_400_000), lastSignInAt });
  return id;
}
const roleOf = async (id: string) => (await env.DB.prepare("SELECT role FROM admin_users WHERE id = ?").bind(id).first<{ role: string }>())?.role ?? null;
const sessionsOf = async (id: string) => (await env.DB.prepare("SELECT role FROM admin_sessions WHERE user_id = ?").bind(id).all<{ role: string }>()).results.map((r) => r.role);
const auditOf = async (t: TestTenant, action: string) =>
  (await env.DB.prepare("SELECT actor, target, detail FROM audit_log WHERE tenant_id = ? AND action = ? ORDER BY at, id").bind(t.id, action).all<{ actor: string; target: string; detail: string }>()).results;
const summaryFields = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);
const mailTo = (email: string) => mocks.captured.ses.filter((m) => m.destination.ToAddresses?.includes(email));

let a: TestTenant;
let b: TestTenant;
let boss: string;
let bossCookie: string;
let reader: string;
let bMember: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  [a, b] = await Promise.all([createTestTenant("Team A"), createTestTenant("Team B")]);
  boss = await member(a, "boss@example.gov", "manage", new Date());
  bossCookie = await userSession(a, "manage", boss);
  reader = await userSession(a, "read", await member(a, "reader@example.gov", "read"));
  bMember = await member(b, "b-only@example.gov", "manage");
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

describe("admin UI: team members", () => {
  it("lists the team; a manage user invites a member whose link goes out as the system tenant's mail, audited", async () => {
    const list = await getPage(TEAM, bossCookie);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("boss@example.gov</a> (you)");
    expect(html).toContain("reader@example.gov");
    expect(html).toContain("Never");
    expect(html).not.toContain("b-only@example.gov");
    expect(html).toContain(`href="${TEAM}/invite"`);

    expect((await getPage(`${TEAM}/invite`, bossCookie)).status).toBe(200);
    const invited = await postForm(`${TEAM}/invite`, { email: " New.Person@Example.com ", role: "send" }, { cookie: bossCookie });
    expect(invited.status, await invited.clone().text()).toBe(303);
    expect(invited.headers.get("location")).toBe(`${TEAM}?done=invited`);
    await settleQueues();
    const mail = mailTo("new.person@example.com");
    expect(mail).toHaveLength(1);
    const token = /\/admin\/sign-in\/link\/([A-Za-z0-9_-]{43})/.exec(mail[0]!.mime.text ?? "")![1]!;
    // Not the tenant's notification: the system tenant's.
    const notes = await env.DB.prepare("SELECT tenant_id FROM notifications WHERE id IN (SELECT notification_id FROM messages WHERE recipient = ?)").bind("new.person@example.com").all<{ tenant_id: string }>();
    expect(notes.results.map((r) => r.tenant_id)).toEqual([systemTenantId(env)]);
    const entry = (await auditOf(a, "admin.user.invited")).at(-1)!;
    expect(entry.actor).toBe(`user:${boss}`);
    expect(JSON.parse(entry.detail)).toEqual({ role: "send" });

    const after = await (await getPage(`${TEAM}?done=invited`, bossCookie)).text();
    expect(after).toContain("Invitation sent");
    expect(after).toContain("new.person@example.com");
    // No page shows the link's token, a session id or a key.
    for (const secret of [token, bossCookie.split("=")[1]!, ADMIN_TOKEN, a.keys.live]) expect(after).not.toContain(secret);

    // The same address again is a 409 at the field; a malformed or odd one a 422; no role a 422.
    const again = await postForm(`${TEAM}/invite`, { email: "new.person@example.com", role: "manage" }, { cookie: bossCookie });
    expect(again.status).toBe(409);
    expect(summaryFields(await again.text())).toEqual(["email"]);
    for (const email of ["not-an-address", "x".repeat(5000) + "@example.com", "ada@exa mple.com", "‮evil@example.com‬@x", "a@b"]) {
      const bad = await postForm(`${TEAM}/invite`, { email, role: "read" }, { cookie: bossCookie });
      expect(bad.status, email.slice(0, 40)).toBe(422);
      expect(summaryFields(await bad.text())).toEqual(["email"]);
    }
    const noRole = await postForm(`${TEAM}/invite`, { email: "someone@example.com", role: "owner" }, { cookie: bossCookie });
    expect(noRole.status).toBe(422);
    expect(summaryFields(await noRole.text())).toEqual(["role-manage"]);
    expect(mailTo("someone@example.com")).toHaveLength(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM admin_users WHERE tenant_id = ?").bind(a.id).first<{ n: number }>())!.n).toBe(3);
  });

  it("changes a member's role, ending their sessions; the same role changes nothing; a new link can be sent", async () => {
    const id = await member(a, "changer@example.gov", "send");
    const theirs = await userSession(a, "send", id);
    expect((await getPage("/admin/dashboard", theirs)).status).toBe(200);
    const page = await (await getPage(`${TEAM}/${id}`, bossCookie)).text();
    expect(page).toContain(`action="${TEAM}/${id}/role"`);
    expect(page).toContain('value="send" checked');

    const changed = await postForm(`${TEAM}/${id}/role`, { role: "read" }, { cookie: bossCookie });
    expect(changed.headers.get("location")).toBe(`${TEAM}/${id}?done=role`);
    expect(await roleOf(id)).toBe("read");
    expect(await sessionsOf(id)).toEqual([]);
    expect((await getPage("/admin/dashboard", theirs)).status).toBe(303);
    expect(JSON.parse((await auditOf(a, "admin.user.role_changed")).at(-1)!.detail)).toEqual({ from: "send", to: "read" });

    const same = await postForm(`${TEAM}/${id}/role`, { role: "read" }, { cookie: bossCookie });
    expect(same.headers.get("location")).toBe(`${TEAM}/${id}?done=same`);
    expect(await auditOf(a, "admin.user.role_changed")).toHaveLength(1);
    const bad = await postForm(`${TEAM}/${id}/role`, { role: "x".repeat(10_000) }, { cookie: bossCookie });
    expect(bad.status).toBe(422);
    expect(summaryFields(await bad.text())).toEqual(["role-manage"]);

    const resent = await postForm(`${TEAM}/${id}/resend`, {}, { cookie: bossCookie });
    expect(resent.headers.get("location")).toBe(`${TEAM}/${id}?done=resent`);
    await settleQueues();
    expect(mailTo("changer@example.gov")).toHaveLength(1);
    expect(await roleOf(id)).toBe("read");
  });

  it("removes a member after confirmation, with their sessions and links; nobody removes or re-roles themselves; the last manage user stays", async () => {
    const id = await member(a, "leaver@example.gov", "manage");
    const theirs = await userSession(a, "manage", id);
    const confirm = await getPage(`${TEAM}/${id}/remove`, bossCookie);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("Are you sure you want to remove leaver@example.gov from the team?");
    const removed = await postForm(`${TEAM}/${id}/remove`, {}, { cookie: bossCookie });
    expect(removed.headers.get("location")).toBe(`${TEAM}?done=removed`);
    expect(await roleOf(id)).toBeNull();
    expect(await sessionsOf(id)).toEqual([]);
    expect((await getPage("/admin/dashboard", theirs)).status).toBe(303);
    expect(JSON.parse((await auditOf(a, "admin.user.removed")).at(-1)!.detail)).toEqual({ email: "leaver@example.gov", role: "manage" });

    // Yourself: no forms on your own page, and the posts are refused.
    const own = await (await getPage(`${TEAM}/${boss}`, bossCookie)).text();
    expect(own).not.toContain(`${TEAM}/${boss}/role`);
    expect((await postForm(`${TEAM}/${boss}/role`, { role: "read" }, { cookie: bossCookie })).status).toBe(409);
    expect((await postForm(`${TEAM}/${boss}/remove`, {}, { cookie: bossCookie })).status).toBe(409);
    expect(await roleOf(boss)).toBe("manage");

    // Boss is the last manage user: another manager's session (one without a user row) cannot demote or remove them.
    const other = await userSession(a, "manage", null);
    const demote = await postForm(`${TEAM}/${boss}/role`, { role: "send" }, { cookie: other });
    expect(demote.status).toBe(409);
    expect(await demote.text()).toContain("last manage user");
    const remove = await postForm(`${TEAM}/${boss}/remove`, {}, { cookie: other });
    expect(remove.status).toBe(409);
    expect(await roleOf(boss)).toBe("manage");
    expect(await sessionsOf(boss)).toContain("manage");
  });

  it("read and send view but cannot change; CSRF is refused; another tenant's member is a 404", async () => {
    const sender = await userSession(a, "send", null);
    for (const cookie of [reader, sender]) {
      expect((await getPage(TEAM, cookie)).status).toBe(200);
      const view = await (await getPage(`${TEAM}/${boss}`, cookie)).text();
      expect(view).toContain("boss@example.gov");
      expect(view).not.toContain("/role");
      expect((await getPage(`${TEAM}/invite`, cookie)).status).toBe(403);
      expect((await postForm(`${TEAM}/invite`, { email: "sneak@example.com", role: "manage" }, { cookie })).status).toBe(403);
      expect((await postForm(`${TEAM}/${boss}/role`, { role: "read" }, { cookie })).status).toBe(403);
      expect((await postForm(`${TEAM}/${boss}/remove`, {}, { cookie })).status).toBe(403);
    }
    const csrf = await call("POST", `${TEAM}/invite`, { rawBody: "email=x%40example.com&role=manage", headers: { cookie: bossCookie, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" } });
    expect(csrf.status).toBe(403);
    const json = await call("POST", `${TEAM}/invite`, { rawBody: JSON.stringify({ email: "x@example.com", role: "manage" }), headers: { cookie: bossCookie, origin: BASE, "content-type": "application/json" } });
    expect(json.status).toBe(403);
    expect(mailTo("x@example.com")).toHaveLength(0);

    for (const path of [`${TEAM}/${bMember}`, `${TEAM}/${bMember}/remove`, `${TEAM}/not-an-id`]) expect((await getPage(path, bossCookie)).status, path).toBe(404);
    for (const path of [`${TEAM}/${bMember}/role`, `${TEAM}/${bMember}/remove`, `${TEAM}/${bMember}/resend`]) expect((await postForm(path, { role: "read" }, { cookie: bossCookie })).status, path).toBe(404);
    expect(await roleOf(bMember)).toBe("manage");
    expect(mailTo("b-only@example.gov")).toHaveLength(0);
  });

  it("20 concurrent demotions and then removals of 20 managers leave exactly one manager; each success audited once", async () => {
    const c = await createTestTenant("Team C");
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => member(c, `m${i}@example.gov`, "manage")));
    await Promise.all(ids.map((id) => userSession(c, "manage", id)));
    const actor = await userSession(c, "manage", null);

    const demotions = await Promise.all(ids.map((id) => postForm(`${TEAM}/${id}/role`, { role: "read" }, { cookie: actor })));
    expect(demotions.map((r) => r.status).sort()).toEqual([...Array(19).fill(303), 409]);
    const roles = await Promise.all(ids.map(roleOf));
    expect(roles.filter((r) => r === "manage")).toHaveLength(1);
    expect(roles.filter((r) => r === "read")).toHaveLength(19);
    expect(await auditOf(c, "admin.user.role_changed")).toHaveLength(19);
    // Every demoted member's sessions ended; the remaining manager's did not.
    for (const [i, id] of ids.entries()) expect(await sessionsOf(id)).toEqual(roles[i] === "manage" ? ["manage"] : []);

    // Promote them all back at once, then remove them all at once.
    const promotions = await Promise.all(ids.map((id) => postForm(`${TEAM}/${id}/role`, { role: "manage" }, { cookie: actor })));
    expect(promotions.every((r) => r.status === 303)).toBe(true);
    expect((await Promise.all(ids.map(roleOf))).every((r) => r === "manage")).toBe(true);
    const removals = await Promise.all(ids.map((id) => postForm(`${TEAM}/${id}/remove`, {}, { cookie: actor })));
    expect(removals.map((r) => r.status).sort()).toEqual([...Array(19).fill(303), 409]);
    const left = (await env.DB.prepare("SELECT id, role FROM admin_users WHERE tenant_id = ?").bind(c.id).all<{ id: string; role: string }>()).results;
    expect(left).toEqual([{ id: expect.any(String), role: "manage" }]);
    expect(await auditOf(c, "admin.user.removed")).toHaveLength(19);
    const orphaned = await env.DB.prepare("SELECT count(*) AS n FROM admin_sessions WHERE tenant_id = ? AND user_id IS NOT NULL AND user_id <> ?").bind(c.id, left[0]!.id).first<{ n: number }>();
    expect(orphaned!.n).toBe(0);

    // One member's role changed 20 times at once: it ends as one of them, with no session of another role left.
    const solo = await member(c, "solo@example.gov", "read");
    await Promise.all(Array.from({ length: 5 }, () => userSession(c, "read", solo)));
    const wanted = Array.from({ length: 20 }, (_, i) => (["read", "send", "manage"] as const)[i % 3]!);
    const changes = await Promise.all(wanted.map((role) => postForm(`${TEAM}/${solo}/role`, { role }, { cookie: actor })));
    expect(changes.every((r) => r.status === 303)).toBe(true);
    const final = await roleOf(solo);
    expect(wanted).toContain(final);
    expect((await sessionsOf(solo)).filter((r) => r !== final)).toEqual([]);
  });
});
