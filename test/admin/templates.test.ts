import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { auditLog } from "../../src/db/schema";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { lineDiff } from "../../src/admin/screens/templates/diff";
import { apiTemplate, getPage, postForm, signInAsOperator, userSession } from "./helpers";

const db = createDb(env.DB);

const idFrom = (res: Response) => /\/admin\/templates\/([0-9a-f-]{36})/.exec(res.headers.get("location") ?? "")![1]!;
/** Every <script …> tag in a page: only the layout's own, with this response's nonce. */
const scriptTags = (html: string) => html.match(/<script\b[^>]*>/gi) ?? [];

let tenant: TestTenant;
let other: TestTenant;
let manage: string;
let read: string;
beforeAll(async () => {
  tenant = await createTestTenant("Templates UI tenant");
  other = await createTestTenant("Templates UI other");
  manage = await userSession(tenant, "manage");
  read = await userSession(tenant, "read");
});

describe("admin UI: templates", () => {
  it("a manage user creates, edits, lists, views and diffs a template; each save is a version, audited", async () => {
    const form = await getPage("/admin/templates/new", manage);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('action="/admin/templates/new"');

    const created = await postForm(
      "/admin/templates/new",
      { name: "Welcome email", channel: "email", subject: "Hello {{name}}", body: "<p>Hi {{name}}</p>\n<p>Your code is {{code}}</p>", bodyType: "html", renderer: "mustache" },
      { cookie: manage },
    );
    expect(created.status).toBe(303);
    expect(created.headers.get("location")).toMatch(/\?saved=created$/);
    const id = idFrom(created);

    const edited = await postForm(
      `/admin/templates/${id}/edit`,
      { name: "Welcome email", subject: "Hello {{name}}", body: "<p>Hi {{name}}</p>\n<p>Your reference is {{ref}}</p>", bodyType: "html", renderer: "mustache" },
      { cookie: manage },
    );
    expect(edited.status).toBe(303);
    expect(edited.headers.get("location")).toBe(`/admin/templates/${id}?saved=updated`);
    // The same values again: no new version.
    const again = await postForm(`/admin/templates/${id}/edit`, { name: "Welcome email", subject: "Hello {{name}}", body: "<p>Hi {{name}}</p>\n<p>Your reference is {{ref}}</p>", bodyType: "html", renderer: "mustache" }, { cookie: manage });
    expect(again.headers.get("location")).toBe(`/admin/templates/${id}?saved=unchanged`);

    const api = await json<{ version: number; body: string }>(await asTenant(tenant, "GET", `/api/v1/templates/${id}`));
    expect(api.version).toBe(2);

    const view = await (await getPage(`/admin/templates/${id}?saved=updated`, manage)).text();
    expect(view).toContain("Saved as version 2");
    expect(view).toContain('class="summary-list"');
    for (const param of ["name", "ref"]) expect(view).toContain(`<li class="code">${param}</li>`);
    expect(view).toContain(`href="/admin/templates/${id}/edit"`);
    expect(view).toContain(`href="/admin/templates/${id}/preview"`);
    expect(view).toContain("Compare with version 1");

    const diff = await (await getPage(`/admin/templates/${id}?from=1&to=2`, manage)).text();
    expect(diff).toContain("Changes from version 1 to version 2");
    expect(diff).toMatch(/<del><span class="visually-hidden">Removed: <\/span>&lt;p&gt;Your code is \{\{code\}\}&lt;\/p&gt;<\/del>/);
    expect(diff).toMatch(/<ins><span class="visually-hidden">Added: <\/span>&lt;p&gt;Your reference is \{\{ref\}\}&lt;\/p&gt;<\/ins>/);
    expect(diff).toContain("1 line removed, 1 line added.");
    // A version that does not exist is a 404 page, not a 500.
    expect((await getPage(`/admin/templates/${id}?from=1&to=99`, manage)).status).toBe(404);

    await apiTemplate(tenant, { name: "Code SMS", channel: "sms", body: "Your code is {{code}}" });
    const list = await getPage("/admin/templates", manage);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain('<caption class="table__caption">Email templates</caption>');
    expect(listHtml).toContain(`<a href="/admin/templates/${id}">Welcome email</a>`);
    expect(listHtml).toContain("Code SMS");
    expect(listHtml).toContain('href="/admin/templates/new"');
    const smsOnly = await (await getPage("/admin/templates?channel=sms", manage)).text();
    expect(smsOnly).toContain("Code SMS");
    expect(smsOnly).not.toContain("Welcome email");

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.target, `template:${id}`))).all();
    expect(audited.map((a) => a.action).sort()).toEqual(["template.create", "template.update"]);
  });

  it("previews with the send path's renderer: missing parameters named, SMS length and fragments", async () => {
    const id = await apiTemplate(tenant, { name: "Reminder SMS", channel: "sms", body: "Hi {{name}}, your appointment is on {{date}} 👋" });
    const form = await getPage(`/admin/templates/${id}/preview`, read);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('<label class="label" for="param-0">name</label>');
    expect(formHtml).toContain('<label class="label" for="param-1">date</label>');

    const missing = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann", "param-1": "" }, { cookie: read });
    expect(missing.status).toBe(422);
    const missingHtml = await missing.text();
    expect(missingHtml).toContain('<div class="error-summary" role="alert" tabindex="-1" autofocus="">');
    expect(missingHtml).toContain('<a href="#param-1">Enter a value for date</a>');
    expect(missingHtml).toContain('value="Ann"');
    // The same post from htmx while typing: the preview section names what is missing, with a 200.
    const typing = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann", "param-1": "" }, { cookie: read, headers: { "hx-request": "true" } });
    expect(typing.status).toBe(200);
    expect(await typing.text()).toContain("<li>Enter a value for date</li>");

    const ok = await postForm(`/admin/templates/${id}/preview`, { "param-0": "Ann", "param-1": "Monday" }, { cookie: read });
    expect(ok.status).toBe(200);
    const html = await ok.text();
    expect(html).toContain("Hi Ann, your appointment is on Monday 👋");
    expect(html).toMatch(/\d+ characters, 1 fragment \(UCS-2\)/);
  });

  it("tenant HTML previews only inside a sandboxed srcdoc iframe, escaped; no script runs in the page", async () => {
    const id = await apiTemplate(tenant, {
      name: "Hostile HTML",
      channel: "email",
      subject: "Hi",
      bodyType: "html",
      body: '<p>Hello {{name}}</p><script>parent.document.title="owned"</script><img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>',
    });
    const res = await postForm(`/admin/templates/${id}/preview`, { "param-0": '"><script>alert(2)</script>' }, { cookie: manage });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    const frame = /<iframe class="preview-frame" title="[^"]*" sandbox="" srcdoc="([^"]*)"/.exec(html);
    expect(frame, "a sandboxed srcdoc iframe").not.toBeNull();
    // Whatever the tenant HTML holds stays inside the attribute, escaped.
    expect(frame![1]).not.toMatch(/[<>"]/);
    // The only script elements in the page are the layout's own, each with the response's nonce.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    for (const tag of scriptTags(html)) expect(tag).toContain(`nonce="${nonce}"`);
    expect(scriptTags(html)).toHaveLength(1);
    expect(html).not.toContain("onerror=");
    // The value typed in a field is escaped as well.
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"');
  });

  it("a read user can list, view and preview but gets a 403 page on every edit", async () => {
    const id = await apiTemplate(tenant, { name: "Read-only view", channel: "sms", body: "Hello" });
    for (const path of ["/admin/templates", `/admin/templates/${id}`, `/admin/templates/${id}/preview`]) expect([path, (await getPage(path, read)).status]).toEqual([path, 200]);
    const view = await (await getPage(`/admin/templates/${id}`, read)).text();
    expect(view).not.toContain(`/admin/templates/${id}/edit`);
    expect(await (await getPage("/admin/templates", read)).text()).not.toContain("/admin/templates/new");
    for (const path of ["/admin/templates/new", `/admin/templates/${id}/edit`]) {
      const get = await getPage(path, read);
      expect([path, get.status]).toEqual([path, 403]);
      expect(await get.text()).toContain("manage permission");
      const post = await postForm(path, { name: "Changed", channel: "sms", body: "Changed", renderer: "mustache" }, { cookie: read });
      expect([path, post.status]).toEqual([path, 403]);
    }
    const api = await json<{ version: number; name: string }>(await asTenant(tenant, "GET", `/api/v1/templates/${id}`));
    expect(api).toMatchObject({ version: 1, name: "Read-only view" });
  });

  it("no session: pages redirect to sign-in and posts are refused; an operator's session is not a tenant's", async () => {
    const id = await apiTemplate(tenant, { name: "Signed-out view", channel: "sms", body: "Hello" });
    for (const path of ["/admin/templates", `/admin/templates/${id}`, `/admin/templates/${id}/preview`, "/admin/templates/new", `/admin/templates/${id}/edit`]) {
      const res = await getPage(path);
      expect([path, res.status, res.headers.get("location")]).toEqual([path, 303, "/admin/sign-in"]);
    }
    for (const path of ["/admin/templates/new", `/admin/templates/${id}/edit`, `/admin/templates/${id}/preview`]) {
      expect([path, (await postForm(path, { name: "x", channel: "sms", body: "x", renderer: "mustache" })).status]).toEqual([path, 403]);
    }
    const operator = await signInAsOperator();
    expect((await getPage("/admin/templates", operator)).status).toBe(403);
    expect((await getPage(`/admin/templates/${id}`, operator)).status).toBe(403);
  });

  it("another tenant's template id is a 404 page on every screen", async () => {
    const theirs = await apiTemplate(other, { name: "Other tenant's", channel: "sms", body: "Secret {{x}}" });
    for (const path of [`/admin/templates/${theirs}`, `/admin/templates/${theirs}/edit`, `/admin/templates/${theirs}/preview`, `/admin/templates/${theirs}?from=1&to=1`]) {
      const res = await getPage(path, manage);
      expect([path, res.status]).toEqual([path, 404]);
      const text = await res.text();
      expect(text).toContain("Page not found");
      expect(text).not.toContain("Secret");
    }
    for (const path of [`/admin/templates/${theirs}/edit`, `/admin/templates/${theirs}/preview`]) {
      expect((await postForm(path, { name: "Taken", body: "x", renderer: "mustache" }, { cookie: manage })).status).toBe(404);
    }
    expect((await json<{ version: number }>(await asTenant(other, "GET", `/api/v1/templates/${theirs}`))).version).toBe(1);
  });

  it("validation errors are shown in the summary and at the field", async () => {
    const empty = await postForm("/admin/templates/new", { name: "", channel: "", body: "", renderer: "mustache" }, { cookie: manage });
    expect(empty.status).toBe(422);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('<a href="#name">Enter a name</a>');
    expect(emptyHtml).toContain('<a href="#channel">Select a channel</a>');
    expect(emptyHtml).toContain('id="name-error"');

    // The service's rules come back at their fields: an email needs a subject; a broken section.
    const service = await postForm("/admin/templates/new", { name: "Broken", channel: "email", subject: "", body: "{{#open}} never closed", bodyType: "text", renderer: "mustache" }, { cookie: manage });
    expect(service.status).toBe(422);
    const serviceHtml = await service.text();
    expect(serviceHtml).toMatch(/<a href="#subject">Subject: Email templates need a subject<\/a>/);
    expect(serviceHtml).toContain('id="subject-error"');

    const syntax = await postForm("/admin/templates/new", { name: "Broken", channel: "sms", body: "{{#open}} never closed", renderer: "mustache" }, { cookie: manage });
    expect(syntax.status).toBe(422);
    expect(await syntax.text()).toMatch(/<a href="#body">Body: [^<]+<\/a>/);

    await apiTemplate(tenant, { name: "Taken name", channel: "sms", body: "x" });
    const clash = await postForm("/admin/templates/new", { name: "Taken name", channel: "sms", body: "y", renderer: "mustache" }, { cookie: manage });
    expect(clash.status).toBe(422);
    expect(await clash.text()).toContain('<a href="#name">Name: Already used by another template</a>');
  });

  it("odd input never gives a 500: a huge body, odd unicode, odd ids and versions", async () => {
    const huge = await postForm("/admin/templates/new", { name: "Huge", channel: "sms", body: "a".repeat(900_000), renderer: "mustache" }, { cookie: manage });
    expect([303, 422]).toContain(huge.status);
    const bidi = await postForm("/admin/templates/new", { name: "invoice\u202Efdp.exe", channel: "sms", body: "x", renderer: "mustache" }, { cookie: manage });
    expect(bidi.status).toBe(422);
    expect(await bidi.text()).toContain('<a href="#name">Name: Must not contain');
    const unicode = await postForm("/admin/templates/new", { name: "Café 👩‍💻 ﷽", channel: "msgApp", body: "Zalgo h̵̛e̸l̷l̶o \u0000 {{ x }} \uFFFF", renderer: "gc" }, { cookie: manage });
    expect(unicode.status).toBe(303);
    const id = idFrom(unicode);
    expect((await getPage(`/admin/templates/${id}`, manage)).status).toBe(200);
    expect((await postForm(`/admin/templates/${id}/preview`, { "param-0": "\uD800" }, { cookie: manage })).status).toBeLessThan(500);
    expect((await postForm("/admin/templates/new", { name: "Bad choices", channel: "letter", body: "x", renderer: "jinja", bodyType: "pdf" }, { cookie: manage })).status).toBe(422);
    for (const path of ["/admin/templates/not-an-id", `/admin/templates/${id}?from=-1&to=1e99`, "/admin/templates/%F0%9F%92%A9/edit", "/admin/templates?channel=%00&cursor=zzz"]) {
      expect([path, (await getPage(path, manage)).status < 500]).toEqual([path, true]);
    }
  });

  it("editing a chat template made of a card keeps the card and writes no empty body", async () => {
    const id = await apiTemplate(tenant, { name: "Card only", channel: "msgApp", card: { blocks: [{ type: "section", text: "Hi {{name}}" }] } });
    const res = await postForm(`/admin/templates/${id}/edit`, { name: "Card only, renamed", body: "", renderer: "mustache" }, { cookie: manage });
    expect(res.headers.get("location")).toBe(`/admin/templates/${id}?saved=updated`);
    const api = await json<{ version: number; body: string | null; card: unknown }>(await asTenant(tenant, "GET", `/api/v1/templates/${id}`));
    expect(api).toMatchObject({ version: 2, body: null, card: { blocks: [{ type: "section", text: "Hi {{name}}" }] } });
  });
});

describe("lineDiff", () => {
  it("aligns lines, removals before additions, and stays bounded on large unrelated texts", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc")).toEqual([
      { kind: "same", text: "a" },
      { kind: "del", text: "b" },
      { kind: "ins", text: "x" },
      { kind: "same", text: "c" },
    ]);
    expect(lineDiff("same", "same")).toEqual([{ kind: "same", text: "same" }]);
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join("\n");
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join("\n");
    const started = Date.now();
    const big = lineDiff(`head\n${a}\ntail`, `head\n${b}\ntail`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(big.filter((l) => l.kind === "del")).toHaveLength(3000);
    expect(big.filter((l) => l.kind === "ins")).toHaveLength(3000);
    expect([big[0], big.at(-1)]).toEqual([{ kind: "same", text: "head" }, { kind: "same", text: "tail" }]);
  });
});
