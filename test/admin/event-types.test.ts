import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { createSession, SESSION_COOKIE } from "../../src/services/admin-identity";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm } from "./helpers";

const db = createDb(env.DB);
async function userSession(tenant: TestTenant, role: "read" | "send" | "manage"): Promise<string> {
  const { id } = await createSession({ db, now: new Date() }, { kind: "user", role, userId: null, tenantId: tenant.id });
  return `${SESSION_COOKIE}=${id}`;
}

async function apiPost(tenant: TestTenant, path: string, body: Record<string, unknown>): Promise<string> {
  const res = await asTenant(tenant, "POST", path, { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

const idFrom = (res: Response) => /\/admin\/event-types\/([0-9a-f-]{36})/.exec(res.headers.get("location") ?? "")![1]!;

let tenant: TestTenant;
let other: TestTenant;
let manage: string;
let read: string;
let emailTemplate: string;
let smsTemplate: string;
beforeAll(async () => {
  tenant = await createTestTenant("Event types UI tenant");
  other = await createTestTenant("Event types UI other");
  manage = await userSession(tenant, "manage");
  read = await userSession(tenant, "read");
  emailTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Approved", channel: "email", subject: "Approved {{firstname}}", body: "Hello {{firstname}}", bodyType: "text" });
  smsTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Approved SMS", channel: "sms", body: "Hi {{firstname}}" });
  const patched = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { cc: ["audit@tenant.example.gov"] } } });
  expect(patched.status, await patched.clone().text()).toBe(200);
});

describe("admin UI: event types", () => {
  it("a manage user creates, edits, views with inherited values and previews with provenance; audited", async () => {
    const form = await (await getPage("/admin/event-types/new", manage)).text();
    expect(form).toContain(`<option value="${emailTemplate}">Approved</option>`);

    const created = await postForm(
      "/admin/event-types/new",
      { code: "funding-approval", name: "Funding approved", emailTemplate, emailTo: "{{emailaddress}}\ngroup:nobody-yet", smsTemplate: "", smsTo: "" },
      { cookie: manage },
    );
    // The group does not exist: the service's refusal lands at the recipients field.
    expect(created.status).toBe(422);
    const refused = await created.text();
    expect(refused).toContain('href="#emailTo"');
    expect(refused).toContain('No group named');
    expect(refused).toContain("autofocus");

    const ok = await postForm("/admin/event-types/new", { code: "funding-approval", name: "Funding approved", emailTemplate, emailTo: "{{emailaddress}}", smsTemplate: "", smsTo: "" }, { cookie: manage });
    expect(ok.status, await ok.clone().text()).toBe(303);
    const id = idFrom(ok);

    const view = await (await getPage(`/admin/event-types/${id}`, manage)).text();
    expect(view).toContain("Funding approved");
    // Its own values are the event layer's; the sender comes from the tenant and the system.
    expect(view).toMatch(/recipients\.to<\/dt><dd class="summary-list__value">\{\{emailaddress\}\}<\/dd><dd class="summary-list__actions"><strong class="tag tag--blue">event<\/strong>/);
    expect(view).toMatch(/recipients\.cc<\/dt><dd class="summary-list__value">audit@tenant\.example\.gov<\/dd><dd class="summary-list__actions"><strong class="tag tag--green">tenant<\/strong>/);
    expect(view).toMatch(/sender\.from<\/dt><dd class="summary-list__value">Edge Notify &lt;noreply@notify\.test&gt;<\/dd><dd class="summary-list__actions"><strong class="tag tag--grey">system<\/strong>/);
    expect(view).toContain("(Approved)");

    const edited = await postForm(`/admin/event-types/${id}/edit`, { name: "Funding approved", emailTemplate, emailTo: "{{emailaddress}}", smsTemplate, smsTo: "{{phone}}" }, { cookie: manage });
    expect(edited.status, await edited.clone().text()).toBe(303);
    expect(edited.headers.get("location")).toBe(`/admin/event-types/${id}?saved=updated`);
    const api = await json<{ version: number; sms: { content: { templateId: string }; recipients: { to: string[] } } }>(await asTenant(tenant, "GET", `/api/v1/notifyevent/types/${id}`));
    expect(api.version).toBe(2);
    expect(api.sms).toEqual({ content: { templateId: smsTemplate }, recipients: { to: ["{{phone}}"] } });

    const preview = await postForm(`/admin/event-types/${id}/preview`, { params: JSON.stringify({ firstname: "Lucky", emailaddress: "lucky@example.gov", phone: "+16135550123" }) }, { cookie: manage });
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    expect(shown).toContain("Approved Lucky");
    expect(shown).toContain("Hi Lucky");
    expect(shown).toMatch(/<td class="code">content\.templateId<\/td><td><strong class="tag tag--blue">event<\/strong>/);
    expect(shown).toMatch(/<td class="code">params\.firstname<\/td><td><strong class="tag tag--yellow">request<\/strong>/);

    const missing = await postForm(`/admin/event-types/${id}/preview`, { params: JSON.stringify({ emailaddress: "lucky@example.gov", phone: "+16135550123" }) }, { cookie: manage });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('href="#params"');

    const rows = await db.query.auditLog.findMany({ where: (a, { eq }) => eq(a.target, `event_type:${id}`) });
    expect(rows.map((r) => r.action).sort()).toEqual(["event_type.create", "event_type.update"]);
  });

  it("a read user views but every POST is a 403", async () => {
    const id = await apiPost(tenant, "/api/v1/notifyevent/types", { code: "read-only-view", name: "Read only", email: { content: { templateId: emailTemplate } } });
    expect((await getPage("/admin/event-types", read)).status).toBe(200);
    const view = await getPage(`/admin/event-types/${id}`, read);
    expect(view.status).toBe(200);
    expect(await view.text()).not.toContain(`/admin/event-types/${id}/edit`);
    expect((await postForm("/admin/event-types/new", { code: "x-y", name: "X" }, { cookie: read })).status).toBe(403);
    expect((await postForm(`/admin/event-types/${id}/edit`, { name: "X" }, { cookie: read })).status).toBe(403);
    expect((await postForm(`/admin/event-types/${id}/preview`, { params: "{}" }, { cookie: read })).status).toBe(403);
  });

  it("another tenant's event type is the 404 page; odd input is never a 500", async () => {
    const theirs = await apiPost(other, "/api/v1/notifyevent/types", { code: "theirs", name: "Theirs" });
    for (const path of [`/admin/event-types/${theirs}`, `/admin/event-types/${theirs}/edit`, `/admin/event-types/${theirs}/preview`, "/admin/event-types/not-an-id", "/admin/event-types/theirs"]) {
      expect((await getPage(path, manage)).status, path).toBe(404);
    }
    expect((await postForm(`/admin/event-types/${theirs}/edit`, { name: "Mine" }, { cookie: manage })).status).toBe(404);

    const mine = await apiPost(tenant, "/api/v1/notifyevent/types", { code: "odd-input", name: "Odd" });
    const odd: Record<string, string>[] = [
      { code: "", name: "" },
      { code: "UPPER case", name: "x".repeat(5000), emailTemplate: "not-a-template", emailTo: "{{unclosed" },
      { code: "00000000-0000-4000-8000-000000000000", name: "\u0000", smsTemplate: crypto.randomUUID(), smsTo: "not a phone" },
      { code: "odd-input", name: "Duplicate code" },
    ];
    for (const fields of odd) {
      const res = await postForm("/admin/event-types/new", fields, { cookie: manage });
      expect(res.status, JSON.stringify(fields)).toBe(422);
      expect(await res.text()).toContain("error-summary");
    }
    const badEdit = await postForm(`/admin/event-types/${mine}/edit`, { name: "Odd", emailTemplate: emailTemplate, emailTo: "x".repeat(5000) }, { cookie: manage });
    expect(badEdit.status).toBe(422);
    for (const params of ["{", "[1]", "null", "\"s\"", "x".repeat(200_000), JSON.stringify({ a: { b: { c: 1 } } })]) {
      const res = await postForm(`/admin/event-types/${mine}/preview`, { params }, { cookie: manage });
      expect(res.status, params.slice(0, 20)).toBeLessThan(500);
    }
  });
});
