import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { apiPost, getPage, postForm, userSession } from "./helpers";

const db = createDb(env.DB);

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

  it("each channel's cc, bcc, sender, attachments and chat targets: saved through the API's rules, errors at their fields, shown with their layer", async () => {
    const group = await asTenant(tenant, "POST", "/api/v1/groups", { body: { name: "FundingApprovers", members: [{ email: "fred@example.gov" }, { email: "joan@example.gov" }] } });
    expect(group.status, await group.clone().text()).toBe(201);
    const form = await (await getPage("/admin/event-types/new", manage)).text();
    for (const field of ["emailCc", "emailBcc", "emailFrom", "emailReplyTo", "emailAttachments", "smsSenderId", "msgAppTemplate", "msgAppTarget"]) expect(form, field).toContain(`name="${field}"`);
    // Beside each field: what it inherits when left empty, and from which layer.
    expect(form).toMatch(/Empty inherits audit@tenant\.example\.gov \(tenant\)/);
    expect(form).toMatch(/Empty inherits Edge Notify &lt;noreply@notify\.test&gt; \(system\)/);

    const base = { code: "funding-approved", name: "Funding approved", emailTemplate, emailTo: "{{emailaddress}}", smsTemplate, smsTo: "{{phonenumber}}" };
    const refusals: [Record<string, string>, string, string][] = [
      [{ emailCc: "group:NoSuchGroup" }, "emailCc", "No group named"],
      [{ emailBcc: "not an address" }, "emailBcc", ""],
      [{ emailFrom: "not an address" }, "emailFrom", ""],
      [{ emailReplyTo: "nope" }, "emailReplyTo", ""],
      [{ smsSenderId: "!!" }, "smsSenderId", ""],
      [{ emailAttachments: "{not json" }, "emailAttachments", "not JSON"],
      [{ emailAttachments: "no-such-service" }, "emailAttachments", ""],
      [{ msgAppTarget: "no-such-target" }, "msgAppTarget", ""],
    ];
    for (const [fields, field, text] of refusals) {
      const res = await postForm("/admin/event-types/new", { ...base, ...fields }, { cookie: manage });
      expect(res.status, JSON.stringify(fields)).toBe(422);
      const html = await res.text();
      expect(html, JSON.stringify(fields)).toContain(`href="#${field}"`);
      expect(html).toContain(`id="${field}-error"`);
      if (text) expect(html).toContain(text);
    }

    const ok = await postForm(
      "/admin/event-types/new",
      { ...base, emailCc: "group:FundingApprovers", emailBcc: "records@example.gov", emailFrom: "Funding Programs <funding@example.gov>", emailReplyTo: "help@example.gov", smsSenderId: "+16135550100" },
      { cookie: manage },
    );
    expect(ok.status, await ok.clone().text()).toBe(303);
    const id = idFrom(ok);
    const api = await json<Record<string, unknown>>(await asTenant(tenant, "GET", `/api/v1/notifyevent/types/${id}`));
    expect(api.email).toEqual({
      content: { templateId: emailTemplate },
      recipients: { to: ["{{emailaddress}}"], cc: ["group:FundingApprovers"], bcc: ["records@example.gov"] },
      sender: { from: "Funding Programs <funding@example.gov>", replyTo: ["help@example.gov"] },
    });
    expect(api.sms).toEqual({ content: { templateId: smsTemplate }, recipients: { to: ["{{phonenumber}}"] }, sender: { senderId: "+16135550100" } });
    expect(api.msgApp).toBeUndefined();

    const view = await (await getPage(`/admin/event-types/${id}`, manage)).text();
    // The event's cc replaces the tenant's; each value names its layer.
    expect(view).toMatch(/recipients\.cc<\/dt><dd class="summary-list__value">group:FundingApprovers<\/dd><dd class="summary-list__actions"><strong class="tag tag--blue">event<\/strong>/);
    expect(view).toMatch(/sender\.from<\/dt><dd class="summary-list__value">Funding Programs &lt;funding@example\.gov&gt;<\/dd><dd class="summary-list__actions"><strong class="tag tag--blue">event<\/strong>/);
    expect(view).toMatch(/sender\.senderId<\/dt><dd class="summary-list__value">\+16135550100<\/dd><dd class="summary-list__actions"><strong class="tag tag--blue">event<\/strong>/);
    expect(view).toContain("Chat (not defined by this event type)");

    // The edit form shows them back, and fields the form does not edit (params) are carried over.
    const patched = await asTenant(tenant, "PATCH", `/api/v1/notifyevent/types/${id}`, { body: { email: { ...(api.email as object), params: { program: "Fund" } } } });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const edit = await (await getPage(`/admin/event-types/${id}/edit`, manage)).text();
    expect(edit).toContain(">group:FundingApprovers</textarea>");
    expect(edit).toContain('value="Funding Programs &lt;funding@example.gov&gt;"');
    const saved = await postForm(
      `/admin/event-types/${id}/edit`,
      { name: "Funding approved", emailTemplate, emailTo: "{{emailaddress}}", emailCc: "group:FundingApprovers\nwatcher@example.gov", emailBcc: "", emailFrom: "", emailReplyTo: "help@example.gov", smsTemplate, smsTo: "{{phonenumber}}", smsSenderId: "" },
      { cookie: manage },
    );
    expect(saved.status, await saved.clone().text()).toBe(303);
    const after = await json<{ email: Record<string, unknown>; sms: Record<string, unknown> }>(await asTenant(tenant, "GET", `/api/v1/notifyevent/types/${id}`));
    expect(after.email).toEqual({
      content: { templateId: emailTemplate },
      recipients: { to: ["{{emailaddress}}"], cc: ["group:FundingApprovers", "watcher@example.gov"] },
      sender: { replyTo: ["help@example.gov"] },
      params: { program: "Fund" },
    });
    expect(after.sms).toEqual({ content: { templateId: smsTemplate }, recipients: { to: ["{{phonenumber}}"] } });
  });

  it("chat targets by name and attachment services by name (and file name) from the form; JSON lines as the API takes them", async () => {
    const slackTarget = { type: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXX" };
    const defaults = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { cc: ["audit@tenant.example.gov"] }, msgApp: { targets: { ops: slackTarget } } } });
    expect(defaults.status, await defaults.clone().text()).toBe(200);
    const service = await asTenant(tenant, "POST", "/api/v1/service/attachments", { body: { name: "approval-letter", url: "https://docs.example.gov/render", filename: "letter.pdf" } });
    expect(service.status, await service.clone().text()).toBe(201);
    const chatTemplate = await apiPost(tenant, "/api/v1/templates", { name: "Approved chat", channel: "msgApp", body: "Approved: {{firstname}}" });
    const res = await postForm(
      "/admin/event-types/new",
      { code: "with-files-and-chat", name: "Files and chat", emailTemplate, emailTo: "{{emailaddress}}", emailAttachments: "approval-letter, approval.pdf\n{\"service\":\"approval-letter\",\"params\":{\"copy\":\"yes\"}}", msgAppTemplate: chatTemplate, msgAppTarget: "ops" },
      { cookie: manage },
    );
    expect(res.status, await res.clone().text()).toBe(303);
    const id = idFrom(res);
    const api = await json<{ email: { attachments: unknown[] }; msgApp: unknown }>(await asTenant(tenant, "GET", `/api/v1/notifyevent/types/${id}`));
    expect(api.email.attachments).toEqual([{ service: "approval-letter", filename: "approval.pdf" }, { service: "approval-letter", params: { copy: "yes" } }]);
    expect(api.msgApp).toEqual({ content: { templateId: chatTemplate }, target: "ops" });
    const edit = await (await getPage(`/admin/event-types/${id}/edit`, manage)).text();
    expect(edit).toContain("approval-letter, approval.pdf\n{&quot;service&quot;:&quot;approval-letter&quot;,&quot;params&quot;:{&quot;copy&quot;:&quot;yes&quot;}}</textarea>");
    expect(edit).toContain(">ops</textarea>");
    const view = await (await getPage(`/admin/event-types/${id}`, manage)).text();
    expect(view).toMatch(/target<\/dt><dd class="summary-list__value">ops<\/dd><dd class="summary-list__actions"><strong class="tag tag--blue">event<\/strong>/);
    // Removing the chat lines removes the channel.
    const saved = await postForm(`/admin/event-types/${id}/edit`, { name: "Files and chat", emailTemplate, emailTo: "{{emailaddress}}", emailAttachments: "approval-letter" }, { cookie: manage });
    expect(saved.status, await saved.clone().text()).toBe(303);
    const after = await json<{ email: { attachments: unknown[] }; msgApp?: unknown }>(await asTenant(tenant, "GET", `/api/v1/notifyevent/types/${id}`));
    expect(after.email.attachments).toEqual([{ service: "approval-letter" }]);
    expect(after.msgApp).toBeUndefined();
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
    // A list longer than the form takes is refused at its field, never cut short and saved.
    const addresses = (n: number) => Array.from({ length: n }, (_, i) => `person${i}@example.com`).join("\n");
    for (const field of ["emailTo", "emailCc", "smsTo"]) {
      const long = await postForm(`/admin/event-types/${mine}/edit`, { name: "Odd", emailTemplate, [field]: addresses(300) }, { cookie: manage });
      expect([field, long.status]).toEqual([field, 422]);
      expect(await long.text()).toContain(`href="#${field}"`);
    }
    const saved = await asTenant(tenant, "GET", `/api/v1/notifyevent/types/${mine}`);
    expect(JSON.stringify(await saved.json())).not.toContain("person0@example.com");
    for (const params of ["{", "[1]", "null", "\"s\"", "x".repeat(200_000), JSON.stringify({ a: { b: { c: 1 } } })]) {
      const res = await postForm(`/admin/event-types/${mine}/preview`, { params }, { cookie: manage });
      expect(res.status, params.slice(0, 20)).toBeLessThan(500);
    }
  });
});
