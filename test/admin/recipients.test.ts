import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { auditLog } from "../../src/db/schema";
import { formatMembers, parseMembers } from "../../src/admin/screens/recipients/shared";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

const db = createDb(env.DB);
const auditedActions = async (tenant: TestTenant, target: string) =>
  (await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.target, target))).all()).map((a) => a.action).sort();

let tenant: TestTenant;
let other: TestTenant;
let manage: string;
let read: string;
beforeAll(async () => {
  tenant = await createTestTenant("Recipients UI tenant");
  other = await createTestTenant("Recipients UI other");
  manage = await userSession(tenant, "manage");
  read = await userSession(tenant, "read");
});

describe("admin UI: recipients", () => {
  it("parses and formats member lines", () => {
    const parsed = parseMembers("Ann Approver, ann@example.gov, +1 778 700 1234\n\nbob@example.gov, opted out\nJust a name\nA, B, c@d.e", "members");
    expect(parsed.members).toEqual([{ name: "Ann Approver", email: "ann@example.gov", phone: "+1 778 700 1234" }, { email: "bob@example.gov", optedOut: true }]);
    expect(parsed.lines).toEqual([1, 3]);
    expect(parsed.errors.map((e) => e.message)).toEqual(["Line 4: needs an email address or a phone number", "Line 5: has more than one name"]);
    expect(formatMembers(parsed.members)).toBe("Ann Approver, ann@example.gov, +1 778 700 1234\nbob@example.gov, opted out");
  });

  it("a manage user creates, views, edits and deletes a group after confirmation; audited", async () => {
    const created = await postForm("/admin/recipients/groups/new", { name: "Approvers", description: "Funding approvers", members: "Ann, Ann@Example.gov, (778) 700-1234\nbob@example.gov, opted out" }, { cookie: manage });
    expect(created.status, await created.clone().text()).toBe(303);
    const id = /\/admin\/recipients\/groups\/([0-9a-f-]{36})\?saved=created$/.exec(created.headers.get("location") ?? "")![1]!;

    const view = await (await getPage(`/admin/recipients/groups/${id}?saved=created`, read)).text();
    expect(view).toContain("Group created");
    expect(view).toContain("group:Approvers");
    expect(view).toContain("+17787001234");
    expect(view).toContain("Opted out");
    expect(view).not.toContain(`/admin/recipients/groups/${id}/edit`);
    const list = await (await getPage("/admin/recipients/groups", read)).text();
    expect(list).toContain(`href="/admin/recipients/groups/${id}"`);
    expect(list).toContain('aria-current="page">Recipients');

    const form = await (await getPage(`/admin/recipients/groups/${id}/edit`, manage)).text();
    expect(form).toContain("Ann, Ann@example.gov, +17787001234\nbob@example.gov, opted out");
    const edited = await postForm(`/admin/recipients/groups/${id}/edit`, { name: "Approvers", description: "", members: "carol@example.gov" }, { cookie: manage });
    expect(edited.status).toBe(303);
    const api = await json<{ members: unknown[]; description: string | null }>(await asTenant(tenant, "GET", `/api/v1/groups/${id}`));
    expect(api).toMatchObject({ members: [{ email: "carol@example.gov" }], description: null });

    const confirm = await getPage(`/admin/recipients/groups/${id}/delete`, manage);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("Are you sure you want to delete this group?");
    const deleted = await postForm(`/admin/recipients/groups/${id}/delete`, {}, { cookie: manage });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/admin/recipients/groups?deleted=1");
    expect((await asTenant(tenant, "GET", `/api/v1/groups/${id}`)).status).toBe(404);
    expect(await auditedActions(tenant, `group:${id}`)).toEqual(["group.create", "group.delete", "group.update"]);
  });

  it("group validation errors name the field and the line; a taken name is the name's error", async () => {
    const badName = await postForm("/admin/recipients/groups/new", { name: "has space", members: "ok@example.gov" }, { cookie: manage });
    expect(badName.status).toBe(422);
    expect(await badName.text()).toMatch(/class="error-summary"[^>]*autofocus[\s\S]*href="#name"/);
    const bad = await postForm("/admin/recipients/groups/new", { name: "Bad", members: "ok@example.gov\nnot-an-address@\n+1 555" }, { cookie: manage });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('href="#members"');
    expect(html).toMatch(/Line 2: [^<]*not-an-address@/);
    expect(html).toMatch(/Line 3: [^<]*\+1 555/);
    const dup = await postForm("/admin/recipients/groups/new", { name: "Dup", members: "a@example.gov\nA@example.gov" }, { cookie: manage });
    expect(dup.status).toBe(422);
    expect(await dup.text()).toMatch(/Line 2: [^<]*line 1/);
    expect((await postForm("/admin/recipients/groups/new", { name: "Taken", members: "a@example.gov" }, { cookie: manage })).status).toBe(303);
    const taken = await postForm("/admin/recipients/groups/new", { name: "Taken", members: "a@example.gov" }, { cookie: manage });
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain("Name: Already used by another group");
  });

  it("a manage user adds, filters, pages and removes suppressions after confirmation; audited", async () => {
    const added = await postForm("/admin/recipients/suppressions/new", { channel: "email", recipient: "Zed@Example.gov", reason: "Asked by phone" }, { cookie: manage });
    expect(added.status).toBe(303);
    expect(added.headers.get("location")).toContain("done=added");
    const again = await postForm("/admin/recipients/suppressions/new", { channel: "email", recipient: "zed@example.gov" }, { cookie: manage });
    expect(again.headers.get("location")).toContain("done=exists");
    for (let i = 0; i < 51; i++) await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "sms", recipient: `+1778700${String(1000 + i)}` } });

    const filtered = await (await getPage("/admin/recipients/suppressions?channel=email&recipient=ZED%40example.gov", read)).text();
    expect(filtered).toContain("zed@example.gov");
    expect(filtered).toContain("Asked by phone");
    expect(filtered).toContain("Added by your team");
    expect(filtered).not.toContain("+17787001000");
    expect(filtered).not.toContain("/remove");

    const first = await (await getPage("/admin/recipients/suppressions?channel=sms", manage)).text();
    const next = /href="([^"]+)" rel="next"/.exec(first)![1]!.replaceAll("&amp;", "&");
    const second = await (await getPage(next, manage)).text();
    expect(second).toContain('rel="prev"');
    expect(second).toContain("+17787001000");

    const list = await json<{ items: { id: string; recipient: string }[] }>(await asTenant(tenant, "GET", "/api/v1/suppressions?channel=email"));
    const id = list.items.find((s) => s.recipient === "zed@example.gov")!.id;
    const confirm = await getPage(`/admin/recipients/suppressions/${id}/remove`, manage);
    expect(await confirm.text()).toContain("Are you sure you want to remove this suppression?");
    const removed = await postForm(`/admin/recipients/suppressions/${id}/remove`, {}, { cookie: manage });
    expect(removed.status).toBe(303);
    expect((await getPage(`/admin/recipients/suppressions/${id}/remove`, manage)).status).toBe(404);
    expect(await auditedActions(tenant, `suppression:${id}`)).toEqual(["suppression.create", "suppression.delete"]);
  });

  it("suppression validation errors are shown", async () => {
    const res = await postForm("/admin/recipients/suppressions/new", { channel: "fax", recipient: "" }, { cookie: manage });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('href="#channel"');
    expect(html).toContain('href="#recipient"');
    const bad = await postForm("/admin/recipients/suppressions/new", { channel: "sms", recipient: "not a number" }, { cookie: manage });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/Recipient: [^<]*not a number/);
    expect((await getPage("/admin/recipients/suppressions?channel=fax", read)).status).toBe(400);
  });

  it("a manage user replaces the guest list; errors name the line; audited", async () => {
    const bad = await postForm("/admin/recipients/guest-list", { entries: "ann@example.gov\n\nnope@\n12" }, { cookie: manage });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('href="#entries"');
    expect(html).toMatch(/Line 3: [^<]*nope@/);
    expect(html).toMatch(/Line 4: [^<]*12/);
    const ok = await postForm("/admin/recipients/guest-list", { entries: "Ann@Example.gov\r\n(778) 700-1234\r\n" }, { cookie: manage });
    expect(ok.status).toBe(303);
    expect(await json(await asTenant(tenant, "GET", "/api/v1/tenant/guest-list"))).toEqual({ emails: ["ann@example.gov"], phones: ["+17787001234"] });
    const view = await (await getPage("/admin/recipients/guest-list", read)).text();
    expect(view).toContain("ann@example.gov");
    expect(view).not.toContain('name="entries"');
    expect(await auditedActions(tenant, "guest_list")).toEqual(["guest_list.replace"]);
  });

  it("a read user views every screen but gets 403 on every POST and form", async () => {
    const group = await json<{ id: string }>(await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "ReadOnly", members: [{ email: "r@example.gov" }] } }));
    const supp = await json<{ id: string }>(await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "ro@example.gov" } }));
    for (const path of ["/admin/recipients/groups", `/admin/recipients/groups/${group.id}`, "/admin/recipients/suppressions", "/admin/recipients/guest-list"]) {
      expect((await getPage(path, read)).status, path).toBe(200);
    }
    for (const path of ["/admin/recipients/groups/new", `/admin/recipients/groups/${group.id}/edit`, `/admin/recipients/groups/${group.id}/delete`, "/admin/recipients/suppressions/new", `/admin/recipients/suppressions/${supp.id}/remove`]) {
      expect((await getPage(path, read)).status, path).toBe(403);
    }
    const posts: [string, Record<string, string>][] = [
      ["/admin/recipients/groups/new", { name: "X", members: "x@example.gov" }],
      [`/admin/recipients/groups/${group.id}/edit`, { name: "X", members: "x@example.gov" }],
      [`/admin/recipients/groups/${group.id}/delete`, {}],
      ["/admin/recipients/suppressions/new", { channel: "email", recipient: "x@example.gov" }],
      [`/admin/recipients/suppressions/${supp.id}/remove`, {}],
      ["/admin/recipients/guest-list", { entries: "x@example.gov" }],
    ];
    for (const [path, fields] of posts) expect((await postForm(path, fields, { cookie: read })).status, path).toBe(403);
    expect((await asTenant(tenant, "GET", `/api/v1/groups/${group.id}`)).status).toBe(200);
  });

  it("another tenant's group and suppression ids are 404 pages; odd ids and input are never a 500", async () => {
    const group = await json<{ id: string }>(await asTenant(other, "POST", "/api/v1/groups", { body: { name: "Theirs", members: [{ email: "t@example.gov" }] } }));
    const supp = await json<{ id: string }>(await asTenant(other, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "t@example.gov" } }));
    for (const path of [`/admin/recipients/groups/${group.id}`, `/admin/recipients/groups/${group.id}/edit`, `/admin/recipients/groups/${group.id}/delete`, `/admin/recipients/suppressions/${supp.id}/remove`, "/admin/recipients/groups/nope", "/admin/recipients/groups/%00/edit"]) {
      const res = await getPage(path, manage);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain("Page not found");
    }
    for (const [path, fields] of [
      [`/admin/recipients/groups/${group.id}/edit`, { name: "Theirs", members: "x@example.gov" }],
      [`/admin/recipients/groups/${group.id}/edit`, { name: "", members: "" }],
      [`/admin/recipients/groups/${group.id}/delete`, {}],
      [`/admin/recipients/suppressions/${supp.id}/remove`, {}],
    ] as [string, Record<string, string>][]) {
      expect((await postForm(path, fields, { cookie: manage })).status, path).toBe(404);
    }
    expect((await asTenant(other, "GET", `/api/v1/groups/${group.id}`)).status).toBe(200);
    expect((await asTenant(other, "GET", `/api/v1/suppressions?recipient=t@example.gov`)).status).toBe(200);

    const odd: [string, Record<string, string>][] = [
      ["/admin/recipients/groups/new", { name: "x".repeat(5000), description: "\u202e".repeat(3), members: `${",".repeat(700)}\n\u0000@\u0000\n${"a@b.c\n".repeat(1200)}` }],
      ["/admin/recipients/groups/new", {}],
      ["/admin/recipients/suppressions/new", { channel: "email", recipient: "a".repeat(10_000), reason: "\u0000" }],
      ["/admin/recipients/guest-list", { entries: `${"x".repeat(400)}\n${"+1\n".repeat(2500)}` }],
      ["/admin/recipients/guest-list", {}],
    ];
    for (const [path, fields] of odd) {
      const res = await postForm(path, fields, { cookie: manage });
      expect(res.status, path).toBe(422);
    }
    for (const path of ["/admin/recipients/suppressions?cursor=%%%&prev=...&recipient=%E2%80%AE", `/admin/recipients/suppressions?recipient=${"9".repeat(2000)}`, "/admin/recipients/groups?cursor=zzz"]) {
      expect((await getPage(path, read)).status, path).toBeLessThan(500);
    }
  });
});
