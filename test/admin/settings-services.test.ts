import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { call, getPage, postForm, userSession } from "./helpers";

const summaryFields = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);
const auditOf = async (t: TestTenant) =>
  (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? AND action LIKE 'service.%' ORDER BY at, id").bind(t.id).all<{ actor: string; action: string; target: string; detail: string }>()).results;
const sealed = async (id: string) => (await env.DB.prepare("SELECT auth_header_ciphertext AS c FROM tenant_services WHERE id = ?").bind(id).first<{ c: string | null }>())?.c ?? null;

const SUBS = "/admin/settings/services/subscriptions";
const ATTS = "/admin/settings/services/attachments";
const URL1 = "https://subscriptions.example.gov/notify/recipients";
const TOKEN = `Bearer tok-${crypto.randomUUID()}`;

let a: TestTenant;
let b: TestTenant;
let manager: string;
let reader: string;
let bService = "";
beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant("Services A"), createTestTenant("Services B")]);
  manager = await userSession(a, "manage");
  reader = await userSession(a, "read");
  const res = await asTenant(b, "POST", "/api/v1/service/subscriptions", { body: { name: "b-only", url: URL1, responseMapping: { email: "x[].email" } } });
  expect(res.status).toBe(201);
  bService = (await json<{ id: string }>(res)).id;
});

const subscription = (over: Record<string, string> = {}) => ({
  name: "applicants",
  url: URL1,
  authHeaderName: "Authorization",
  authHeaderValue: TOKEN,
  timeoutMs: "3000",
  requestMapping: "applicantId = {{applicationId}}\nprogram",
  responseEmailTo: "recipients[].email",
  responseEmailCc: "",
  responseEmailBcc: "",
  responseSms: "recipients[].phone",
  ...over,
});

describe("admin UI: subscription and attachment services", () => {
  let subId = "";
  it("creates, views, edits keeping the sealed auth header, and deletes after confirmation; audited; the value never shown", async () => {
    expect((await getPage(`${SUBS}/new`, manager)).status).toBe(200);
    const created = await postForm(SUBS, subscription(), { cookie: manager });
    expect(created.status, await created.clone().text()).toBe(303);
    subId = /\/subscriptions\/([0-9a-f-]{36})\?done=added$/.exec(created.headers.get("location") ?? "")![1]!;
    const api = await json<any>(await asTenant(a, "GET", `/api/v1/service/subscriptions/${subId}`));
    expect(api).toMatchObject({
      name: "applicants",
      url: URL1,
      authHeader: { name: "Authorization", set: true },
      timeoutMs: 3000,
      requestMapping: { applicantId: "{{applicationId}}", program: "{{program}}" },
      responseMapping: { email: "recipients[].email", sms: "recipients[].phone" },
    });
    const firstSeal = await sealed(subId);
    expect(firstSeal).toBeTruthy();

    const view = await (await getPage(`${SUBS}/${subId}?done=added`, manager)).text();
    expect(view).toContain("Service added");
    expect(view).toContain("Authorization (value set, never shown)");
    expect(view).toContain("applicantId = {{applicationId}}");
    const edit = await (await getPage(`${SUBS}/${subId}/edit`, manager)).text();
    expect(edit).toContain('value="recipients[].phone"');
    for (const html of [view, edit, await (await getPage("/admin/settings/services", manager)).text()]) expect(html).not.toContain(TOKEN);

    // Saved without retyping the value: the sealed header is the same bytes.
    const saved = await postForm(`${SUBS}/${subId}`, subscription({ authHeaderValue: "", timeoutMs: "", requestMapping: "applicationId\nprogram", responseEmailTo: "to[]", responseEmailCc: "cc[]", responseSms: "" }), { cookie: manager });
    expect(saved.status, await saved.clone().text()).toBe(303);
    expect(await sealed(subId)).toBe(firstSeal);
    expect(await json<any>(await asTenant(a, "GET", `/api/v1/service/subscriptions/${subId}`))).toMatchObject({
      authHeader: { name: "Authorization", set: true },
      timeoutMs: 5000,
      requestMapping: ["applicationId", "program"],
      responseMapping: { email: { to: "to[]", cc: "cc[]" } },
    });
    // Renaming the header needs its value again (it is replaced whole); removing it clears it.
    const rename = await postForm(`${SUBS}/${subId}`, subscription({ authHeaderName: "X-Api-Token", authHeaderValue: "" }), { cookie: manager });
    expect(rename.status).toBe(422);
    expect(summaryFields(await rename.text())).toEqual(["authHeaderValue"]);
    expect((await postForm(`${SUBS}/${subId}`, subscription({ authHeaderValue: "", removeAuthHeader: "on" }), { cookie: manager })).status).toBe(303);
    expect(await sealed(subId)).toBeNull();

    // An attachment service, with its file name.
    const att = await postForm(ATTS, { name: "letter", url: "https://docs.example.gov/render", filename: "letter.pdf", authHeaderName: "", authHeaderValue: "", timeoutMs: "", requestMapping: "" }, { cookie: manager });
    expect(att.status, await att.clone().text()).toBe(303);
    const attId = /attachments\/([0-9a-f-]{36})/.exec(att.headers.get("location")!)![1]!;
    expect(await json<any>(await asTenant(a, "GET", `/api/v1/service/attachments/${attId}`))).toMatchObject({ name: "letter", filename: "letter.pdf", authHeader: null, requestMapping: null, timeoutMs: 5000 });
    const list = await (await getPage("/admin/settings/services", reader)).text();
    expect(list).toContain(`href="${SUBS}/${subId}"`);
    expect(list).toContain(`href="${ATTS}/${attId}"`);
    expect(list).not.toContain("b-only");

    const confirm = await getPage(`${ATTS}/${attId}/delete`, manager);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("Are you sure you want to delete the attachment service");
    const deleted = await postForm(`${ATTS}/${attId}/delete`, {}, { cookie: manager });
    expect(deleted.headers.get("location")).toBe("/admin/settings/services?done=deleted");
    expect((await asTenant(a, "GET", `/api/v1/service/attachments/${attId}`)).status).toBe(404);

    const entries = await auditOf(a);
    expect(entries.map((e) => e.action)).toEqual(["service.created", "service.updated", "service.updated", "service.created", "service.deleted"]);
    expect(entries.every((e) => e.actor.startsWith("user:"))).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
  });

  it("shows the API's validation errors at their fields, never echoing the auth header's value", async () => {
    const cases: [Record<string, string>, string[], number?][] = [
      [{ url: "https://127.0.0.1/x" }, ["url"]],
      [{ url: "https://metadata.google.internal/x" }, ["url"]],
      [{ url: "http://[::1]:8080/" }, ["url"]],
      [{ name: "bad name!" }, ["name"]],
      [{ name: "é".repeat(300) }, ["name"]],
      [{ timeoutMs: "99" }, ["timeoutMs"]],
      [{ timeoutMs: "soon" }, ["timeoutMs"]],
      [{ authHeaderName: "Host" }, ["authHeaderName"]],
      [{ authHeaderName: "" }, ["authHeaderName"]],
      [{ requestMapping: "a = {{#open" }, ["requestMapping"]],
      [{ requestMapping: "a\na" }, ["requestMapping"]],
      [{ requestMapping: "= x" }, ["requestMapping"]],
      [{ responseEmailTo: "recipients[", responseSms: "" }, ["responseEmailTo"]],
      [{ responseEmailTo: "", responseSms: "" }, ["responseEmailTo"]],
      [{ responseSms: "a.".repeat(20) + "b" }, ["responseSms"]],
      [{ name: "", url: "" }, ["name", "url"]],
      [{ name: "applicants" }, ["name"], 409],
    ];
    for (const [over, at, status] of cases) {
      const res = await postForm(SUBS, subscription(over), { cookie: manager });
      const html = await res.text();
      expect(res.status, JSON.stringify(over).slice(0, 80)).toBe(status ?? 422);
      expect(summaryFields(html), JSON.stringify(over).slice(0, 80)).toEqual(at);
      expect(html).not.toContain(TOKEN);
    }
    // A long value is cut and refused at its field; a body over the limit is a 413 page; never a 500.
    const long = await postForm(SUBS, subscription({ requestMapping: `k = ${"{{x}}".repeat(10_000)}` }), { cookie: manager });
    expect(long.status).toBe(422);
    expect(summaryFields(await long.text())).toEqual(["requestMapping"]);
    expect((await postForm(SUBS, subscription({ requestMapping: "x".repeat(2_000_000) }), { cookie: manager })).status).toBe(413);
    expect((await json<any>(await asTenant(a, "GET", "/api/v1/service/subscriptions"))).items).toHaveLength(1);
  });

  it("read views but cannot change; CSRF refused; another tenant's id is a 404 and stays as it was", async () => {
    expect((await getPage(`${SUBS}/${subId}`, reader)).status).toBe(200);
    expect(await (await getPage(`${SUBS}/${subId}`, reader)).text()).not.toContain("/edit");
    for (const path of [`${SUBS}/new`, `${SUBS}/${subId}/edit`, `${SUBS}/${subId}/delete`]) expect((await getPage(path, reader)).status, path).toBe(403);
    expect((await postForm(`${SUBS}/${subId}/delete`, {}, { cookie: reader })).status).toBe(403);
    expect((await postForm(SUBS, subscription({ name: "r" }), { cookie: reader })).status).toBe(403);

    const csrf = await call("POST", `${SUBS}/${subId}/delete`, { rawBody: "", headers: { cookie: manager, "sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded" } });
    expect(csrf.status).toBe(403);
    const jsonBody = await call("POST", SUBS, { rawBody: JSON.stringify(subscription({ name: "j" })), headers: { cookie: manager, origin: BASE, "content-type": "application/json" } });
    expect(jsonBody.status).toBe(403);
    expect((await asTenant(a, "GET", `/api/v1/service/subscriptions/${subId}`)).status).toBe(200);

    for (const path of [`${SUBS}/${bService}`, `${SUBS}/${bService}/edit`, `${SUBS}/${bService}/delete`, `${ATTS}/${subId}`, `${SUBS}/not-a-uuid`]) expect((await getPage(path, manager)).status, path).toBe(404);
    expect((await postForm(`${SUBS}/${bService}/delete`, {}, { cookie: manager })).status).toBe(404);
    expect((await postForm(`${SUBS}/${bService}`, subscription({ name: "taken-over" }), { cookie: manager })).status).toBe(404);
    expect((await json<any>(await asTenant(b, "GET", `/api/v1/service/subscriptions/${bService}`))).name).toBe("b-only");
  });
});
