import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { call, getPage, postForm, userSession } from "./helpers";

const newSecret = () => `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
/** The stored defaults, secrets included (reads through the API never answer them). */
const stored = async (t: TestTenant) => JSON.parse((await env.DB.prepare("SELECT settings FROM tenants WHERE id = ?").bind(t.id).first<{ settings: string }>())!.settings) as Record<string, any>;
const auditOf = async (t: TestTenant, prefix: string) =>
  (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? AND action LIKE ? ORDER BY at, id").bind(t.id, `${prefix}%`).all<{ actor: string; action: string; target: string; detail: string }>()).results;
const summaryFields = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);

const SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXSECRETPATH";
const HOOK = "https://hooks.example.com/ops";

let a: TestTenant;
let b: TestTenant;
let manager: string;
let reader: string;
const secret = newSecret();
beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant("Chat A"), createTestTenant("Chat B")]);
  manager = await userSession(a, "manage");
  reader = await userSession(a, "read");
  // b's target, which a's sessions must never reach.
  expect((await asTenant(b, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: { targets: { bonly: { type: "slack", url: SLACK } } } } })).status).toBe(200);
});

describe("admin UI: chat targets", () => {
  it("adds, lists (host only, secret as set), edits keeping the secret, and removes after confirmation; audited without secrets", async () => {
    // Fields the screens do not touch survive every change.
    expect((await asTenant(a, "PATCH", "/api/v1/tenant/defaults", { body: { msgApp: { params: { team: "ops" } }, sms: { senderId: "ChatA" } } })).status).toBe(200);
    expect((await getPage("/admin/settings/chat-targets/new", manager)).status).toBe(200);
    const added = await postForm("/admin/settings/chat-targets", { name: "ops", type: "webhook", url: HOOK, secret }, { cookie: manager });
    expect(added.status, await added.clone().text()).toBe(303);
    expect(added.headers.get("location")).toBe("/admin/settings/chat-targets?done=added");
    expect((await postForm("/admin/settings/chat-targets", { name: "alerts", type: "slack", url: SLACK }, { cookie: manager })).status).toBe(303);

    const list = await (await getPage("/admin/settings/chat-targets?done=added", manager)).text();
    expect(list).toContain("Chat target added");
    expect(list).toContain("hooks.example.com");
    expect(list).toContain("hooks.slack.com");
    expect(list).not.toContain("SECRETPATH");
    expect(list).toContain('href="/admin/settings/chat-targets/ops/edit"');
    expect(list).not.toContain(secret);
    expect((await stored(a)).msgApp.targets.ops).toEqual({ type: "webhook", url: HOOK, secret });

    // The edit form never carries the secret; saving without retyping it keeps it.
    const form = await (await getPage("/admin/settings/chat-targets/ops/edit", manager)).text();
    expect(form).not.toContain(secret);
    expect(form).toContain("A secret is set");
    expect((await postForm("/admin/settings/chat-targets/ops", { type: "webhook", url: `${HOOK}/v2` }, { cookie: manager })).status).toBe(303);
    let s = await stored(a);
    expect(s.msgApp.targets.ops).toEqual({ type: "webhook", url: `${HOOK}/v2`, secret });
    expect(s.msgApp.params).toEqual({ team: "ops" });
    expect(s.sms).toEqual({ senderId: "ChatA" });
    // The API's read shows it as set, as before.
    expect((await json<any>(await asTenant(a, "GET", "/api/v1/tenant/defaults"))).msgApp.targets.ops.secretSet).toBe(true);

    // A new secret replaces it; removal drops it; becoming a Slack target drops any.
    const second = newSecret();
    expect((await postForm("/admin/settings/chat-targets/ops", { type: "webhook", url: HOOK, secret: second }, { cookie: manager })).status).toBe(303);
    expect((await stored(a)).msgApp.targets.ops.secret).toBe(second);
    expect((await postForm("/admin/settings/chat-targets/ops", { type: "webhook", url: HOOK, removeSecret: "on" }, { cookie: manager })).status).toBe(303);
    expect((await stored(a)).msgApp.targets.ops).toEqual({ type: "webhook", url: HOOK });
    expect((await postForm("/admin/settings/chat-targets/ops", { type: "webhook", url: HOOK, secret: second }, { cookie: manager })).status).toBe(303);
    expect((await postForm("/admin/settings/chat-targets/ops", { type: "slack", url: SLACK }, { cookie: manager })).status).toBe(303);
    expect((await stored(a)).msgApp.targets.ops).toEqual({ type: "slack", url: SLACK });

    const confirm = await getPage("/admin/settings/chat-targets/alerts/remove", manager);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("Are you sure you want to remove the chat target");
    const removed = await postForm("/admin/settings/chat-targets/alerts/remove", {}, { cookie: manager });
    expect(removed.headers.get("location")).toBe("/admin/settings/chat-targets?done=removed");
    s = await stored(a);
    expect(Object.keys(s.msgApp.targets)).toEqual(["ops"]);
    expect(s.msgApp.params).toEqual({ team: "ops" });

    const entries = await auditOf(a, "chat_target.");
    expect(entries.map((e) => e.action)).toEqual(["chat_target.created", "chat_target.created", ...Array(5).fill("chat_target.updated"), "chat_target.deleted"]);
    expect(entries[0]!.actor).toMatch(/^user:/);
    expect(JSON.parse(entries[2]!.detail).secret).toBe("kept");
    expect(JSON.parse(entries[3]!.detail).secret).toBe("replaced");
    const all = JSON.stringify(entries);
    for (const v of [secret, second, "SECRETPATH"]) expect(all).not.toContain(v);
  });

  it("refuses private, loopback and odd URLs at the field, bad names and secrets, and a taken name (409)", async () => {
    for (const url of ["https://127.0.0.1/hook", "https://localhost/hook", "http://hooks.example.com/x", "https://10.0.0.5/x", "https://[::ffff:169.254.169.254]/", "https://0x7f.1/", "not a url"]) {
      const res = await postForm("/admin/settings/chat-targets", { name: "bad", type: "slack", url }, { cookie: manager });
      expect(res.status, url).toBe(422);
      const html = await res.text();
      expect(summaryFields(html), url).toEqual(["url"]);
      expect(html).toContain('class="error-summary"');
    }
    const typed = newSecret();
    const cases: [Record<string, string>, string[]][] = [
      [{ name: "Has Spaces", type: "slack", url: SLACK }, ["name"]],
      [{ name: "ünïcødé‮", type: "slack", url: SLACK }, ["name"]],
      [{ name: "x".repeat(5000), type: "slack", url: SLACK }, ["name"]],
      [{ name: "ok", type: "carrier-pigeon", url: SLACK }, ["type-slack"]],
      [{ name: "ok", type: "webhook", url: HOOK, secret: "whsec_short" }, ["secret"]],
      [{ name: "ok", type: "slack", url: SLACK, secret: typed }, ["secret"]],
      [{ name: "ok", type: "slack", url: `https://hooks.example.com/${"a".repeat(3000)}` }, ["url"]],
      [{ name: "", type: "", url: "" }, ["name", "type-slack", "url"]],
    ];
    for (const [fields, at] of cases) {
      const res = await postForm("/admin/settings/chat-targets", fields, { cookie: manager });
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(422);
      const html = await res.text();
      expect(summaryFields(html)).toEqual(at);
      // A typed secret is never shown back, refused or not.
      expect(html).not.toContain(typed);
      expect(html).not.toContain("whsec_short");
    }
    const taken = await postForm("/admin/settings/chat-targets", { name: "ops", type: "slack", url: SLACK }, { cookie: manager });
    expect(taken.status).toBe(409);
    expect(summaryFields(await taken.text())).toEqual(["name"]);
    // An edit is checked the same way; nothing is written.
    const before = await stored(a);
    const edit = await postForm("/admin/settings/chat-targets/ops", { type: "webhook", url: "https://192.168.1.1/x" }, { cookie: manager });
    expect(edit.status).toBe(422);
    expect(summaryFields(await edit.text())).toEqual(["url"]);
    expect(await stored(a)).toEqual(before);
  });

  it("read views the list without change links; read cannot change; CSRF is refused; another tenant's name is a 404", async () => {
    const list = await getPage("/admin/settings/chat-targets", reader);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("ops");
    expect(html).not.toContain("/edit");
    expect(html).not.toContain("bonly");
    expect((await getPage("/admin/settings/chat-targets/new", reader)).status).toBe(403);
    expect((await postForm("/admin/settings/chat-targets", { name: "r", type: "slack", url: SLACK }, { cookie: reader })).status).toBe(403);
    expect((await postForm("/admin/settings/chat-targets/ops/remove", {}, { cookie: reader })).status).toBe(403);

    const csrf = await call("POST", "/admin/settings/chat-targets/ops/remove", { rawBody: "", headers: { cookie: manager, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" } });
    expect(csrf.status).toBe(403);
    const json = await call("POST", "/admin/settings/chat-targets", { rawBody: JSON.stringify({ name: "j", type: "slack", url: SLACK }), headers: { cookie: manager, origin: BASE, "content-type": "application/json" } });
    expect(json.status).toBe(403);
    expect(Object.keys((await stored(a)).msgApp.targets)).toEqual(["ops"]);

    for (const path of ["/admin/settings/chat-targets/bonly/edit", "/admin/settings/chat-targets/bonly/remove", "/admin/settings/chat-targets/nope/edit", "/admin/settings/chat-targets/%22%5D/edit"]) {
      expect((await getPage(path, manager)).status, path).toBe(404);
    }
    expect((await postForm("/admin/settings/chat-targets/bonly/remove", {}, { cookie: manager })).status).toBe(404);
    expect((await postForm("/admin/settings/chat-targets/bonly", { type: "slack", url: SLACK }, { cookie: manager })).status).toBe(404);
    expect((await stored(b)).msgApp.targets).toEqual({ bonly: { type: "slack", url: SLACK } });
  });

  it("20 concurrent adds and edits of different targets all survive, and an edit keeps its secret", async () => {
    const keep = newSecret();
    expect((await postForm("/admin/settings/chat-targets", { name: "signed", type: "webhook", url: HOOK, secret: keep }, { cookie: manager })).status).toBe(303);
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => postForm("/admin/settings/chat-targets", { name: `t${i}`, type: "slack", url: `${SLACK}${i}` }, { cookie: manager })),
      ...Array.from({ length: 5 }, (_, i) => postForm("/admin/settings/chat-targets/signed", { type: "webhook", url: `${HOOK}/${i}` }, { cookie: manager })),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(303));
    const targets = (await stored(a)).msgApp.targets;
    for (let i = 0; i < 20; i++) expect(targets[`t${i}`]).toEqual({ type: "slack", url: `${SLACK}${i}` });
    expect(targets.signed.secret).toBe(keep);
    expect(targets.ops).toBeDefined();
    // The same name added twice at once: one wins, the other is told the name is taken.
    const twice = await Promise.all([1, 2].map(() => postForm("/admin/settings/chat-targets", { name: "dup", type: "slack", url: SLACK }, { cookie: manager })));
    expect(twice.map((r) => r.status).sort()).toEqual([303, 409]);
    const page = await (await getPage("/admin/settings/chat-targets", manager)).text();
    expect(page).not.toContain(keep);
  });
});
