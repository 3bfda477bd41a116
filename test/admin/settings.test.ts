import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAdmin, BASE, json } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { call, getPage, postForm, userSession } from "./helpers";

const auditOf = async (tenant: TestTenant) =>
  (await env.DB.prepare("SELECT actor, action, target, detail FROM audit_log WHERE tenant_id = ? ORDER BY at, id").bind(tenant.id).all<{ actor: string; action: string; target: string; detail: string | null }>()).results;

const CALLBACKS = "/api/v1/notify/registerCallback";
const RECEIVER = "https://receiver.example.com/status";

let a: TestTenant;
let b: TestTenant;
let manager: string;
let reader: string;
/** b's rows, which a's sessions must never reach. */
const others = { replyTo: "", smsSender: "", callback: "" };
beforeAll(async () => {
  a = await createTestTenant("Settings A");
  b = await createTestTenant("Settings B");
  manager = await userSession(a, "manage");
  reader = await userSession(a, "read");
  others.replyTo = (await json<{ id: string }>(await asTenant(b, "POST", "/api/v1/tenant/reply-to-addresses", { body: { email: "b@example.com" } }))).id;
  others.smsSender = (await json<{ id: string }>(await asTenant(b, "POST", "/api/v1/tenant/sms-senders", { body: { sender: "TenantB" } }))).id;
  others.callback = (await json<{ callbackId: string }>(await asTenant(b, "POST", CALLBACKS, { body: { url: RECEIVER, channelType: ["email"], trigger: ["success"] } }))).callbackId;
});
afterAll(() => settleQueues());

/** The error summary's links: the field ids at fault. */
const summaryFields = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);

describe("admin UI: settings index", () => {
  it("links each settings screen the role may open", async () => {
    const html = await (await getPage("/admin/settings", manager)).text();
    for (const href of ["/admin/settings/defaults", "/admin/settings/senders", "/admin/settings/callbacks", "/admin/settings/api-keys"]) expect(html).toContain(`href="${href}"`);
    const read = await getPage("/admin/settings", reader);
    expect(read.status).toBe(200);
    const readHtml = await read.text();
    expect(readHtml).toContain('href="/admin/settings/defaults"');
    expect(readHtml).not.toContain('href="/admin/settings/callbacks"');
  });
});

describe("admin UI: tenant defaults", () => {
  it("shows the defaults and saves the common fields, keeping the ones the form does not show", async () => {
    // A field only the API sets: the form's save must not drop it.
    expect((await asTenant(a, "PATCH", "/api/v1/tenant/defaults", { body: { email: { cc: ["audit@example.com"] } } })).status).toBe(200);
    expect((await getPage("/admin/settings/defaults", manager)).status).toBe(200);
    expect(await (await getPage("/admin/settings/defaults/edit", manager)).text()).toContain('action="/admin/settings/defaults"');

    // Saving what the system does anyway writes no suppressOn.
    expect((await postForm("/admin/settings/defaults", { suppressComplaint: "on" }, { cookie: manager })).status).toBe(303);
    expect((await json<Record<string, unknown>>(await asTenant(a, "GET", "/api/v1/tenant/defaults"))).suppressOn).toBeUndefined();

    const saved = await postForm(
      "/admin/settings/defaults",
      { emailFrom: "Funding <funding@example.gov>", emailReplyTo: "help@example.gov\r\nsupport@example.gov", smsSenderId: "NotifyGC", duplicateWindowSeconds: "120", defaultRegion: "ca", unsubscribe: "on", suppressBounce: "on" },
      { cookie: manager },
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/admin/settings/defaults?saved=1");
    const api = await json<Record<string, any>>(await asTenant(a, "GET", "/api/v1/tenant/defaults"));
    expect(api).toMatchObject({
      defaultRegion: "CA",
      duplicateWindowSeconds: 120,
      suppressOn: { complaint: false, bounce: true },
      email: { from: "Funding <funding@example.gov>", replyTo: ["help@example.gov", "support@example.gov"], cc: ["audit@example.com"], unsubscribe: { enabled: true } },
      sms: { senderId: "NotifyGC" },
    });
    const view = await (await getPage("/admin/settings/defaults?saved=1", manager)).text();
    expect(view).toContain("Defaults saved");
    expect(view).toContain("Funding &lt;funding@example.gov&gt;");
    expect(view).toContain("120 seconds");
    const entry = (await auditOf(a)).filter((e) => e.action === "tenant.defaults.updated").at(-1);
    expect(entry?.actor).toMatch(/^user:/);
    expect(JSON.parse(entry!.detail!).fields).toContain("smsSenderId");

    // Empty fields clear back to the system default.
    expect((await postForm("/admin/settings/defaults", { emailFrom: "", smsSenderId: "", duplicateWindowSeconds: "", defaultRegion: "" }, { cookie: manager })).status).toBe(303);
    const cleared = await json<Record<string, any>>(await asTenant(a, "GET", "/api/v1/tenant/defaults"));
    expect(cleared.sms).toBeUndefined();
    expect(cleared.duplicateWindowSeconds).toBeUndefined();
    expect(cleared.email).toEqual({ cc: ["audit@example.com"], unsubscribe: { enabled: false } });
  });

  it("names each refused field in a focused error summary (422), keeping what was typed", async () => {
    const res = await postForm("/admin/settings/defaults", { emailFrom: "not an address", smsSenderId: "Way too long sender", duplicateWindowSeconds: "soon", defaultRegion: "zz" }, { cookie: manager });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('class="error-summary" role="alert" tabindex="-1" autofocus');
    expect(summaryFields(html)).toEqual(expect.arrayContaining(["smsSenderId", "duplicateWindowSeconds", "defaultRegion"]));
    expect(html).toContain('value="Way too long sender"');
    // With the schema's problems fixed, the service's own check names the from address.
    const service = await postForm("/admin/settings/defaults", { emailFrom: "not an address" }, { cookie: manager });
    expect(service.status).toBe(422);
    expect(summaryFields(await service.text())).toEqual(["emailFrom"]);
    const replyTo = await postForm("/admin/settings/defaults", { emailReplyTo: "ok@example.com\nnope" }, { cookie: manager });
    expect(replyTo.status).toBe(422);
    expect(summaryFields(await replyTo.text())).toEqual(["emailReplyTo"]);
  });
});

describe("admin UI: reply-to addresses and SMS senders", () => {
  it("adds with make-default, marks the default, deletes after confirmation, all audited", async () => {
    expect((await getPage("/admin/settings/reply-to/new", manager)).status).toBe(200);
    expect((await postForm("/admin/settings/reply-to", { email: "first@example.gov", isDefault: "on" }, { cookie: manager })).status).toBe(303);
    const second = await postForm("/admin/settings/reply-to", { email: "second@example.gov", isDefault: "on" }, { cookie: manager });
    expect(second.headers.get("location")).toBe("/admin/settings/senders?done=added");
    expect((await postForm("/admin/settings/sms-senders", { sender: "+1 (778) 700-1234" }, { cookie: manager })).status).toBe(303);

    const list = await json<{ items: { id: string; email: string; isDefault: boolean }[] }>(await asTenant(a, "GET", "/api/v1/tenant/reply-to-addresses"));
    expect(list.items.map((r) => [r.email, r.isDefault])).toEqual([
      ["first@example.gov", false],
      ["second@example.gov", true],
    ]);
    const html = await (await getPage("/admin/settings/senders", manager)).text();
    expect(html).toMatch(/second@example\.gov<\/td><td><strong class="tag tag--green">Default<\/strong>/);
    expect(html).toContain("+17787001234");

    const id = list.items[1]!.id;
    const confirm = await getPage(`/admin/settings/reply-to/${id}/delete`, manager);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain("It is your default");
    const deleted = await postForm(`/admin/settings/reply-to/${id}/delete`, {}, { cookie: manager });
    expect(deleted.status).toBe(303);
    expect((await asTenant(a, "GET", `/api/v1/tenant/reply-to-addresses/${id}`)).status).toBe(404);
    const actions = (await auditOf(a)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["reply_to.created", "sms_sender.created", "reply_to.deleted"]));
  });

  it("refuses bad values at their field and shows inbound numbers read-only", async () => {
    const email = await postForm("/admin/settings/reply-to", { email: "nope" }, { cookie: manager });
    expect(email.status).toBe(422);
    expect(summaryFields(await email.text())).toEqual(["email"]);
    const sender = await postForm("/admin/settings/sms-senders", { sender: "!!" }, { cookie: manager });
    expect(sender.status).toBe(422);
    expect(summaryFields(await sender.text())).toEqual(["sender"]);
    const empty = await postForm("/admin/settings/sms-senders", {}, { cookie: manager });
    expect(empty.status).toBe(422);

    const assigned = await asAdmin("POST", `/api/v1/tenants/${a.id}/inbound-numbers`, { body: { number: "+447700900123" } });
    expect(assigned.status).toBe(201);
    const inboundId = (await json<{ id: string }>(assigned)).id;
    const html = await (await getPage("/admin/settings/senders", manager)).text();
    expect(html).toContain("+447700900123");
    expect(html).toContain("The operator of this deployment assigns and releases inbound numbers");
    expect(html).not.toContain(`/admin/settings/sms-senders/${inboundId}/delete`);
    expect((await getPage(`/admin/settings/sms-senders/${inboundId}/delete`, manager)).status).toBe(403);
    expect((await postForm(`/admin/settings/sms-senders/${inboundId}/delete`, {}, { cookie: manager })).status).toBe(403);
  });
});

describe("admin UI: status callbacks", () => {
  it("shows the signing secret only on its creation and rotation pages; rotates and deletes after confirmation", async () => {
    expect((await getPage("/admin/settings/callbacks/new", manager)).status).toBe(200);
    const created = await postForm("/admin/settings/callbacks", {}, { cookie: manager });
    expect(created.status).toBe(422); // no url, channel or trigger
    const noChannel = await postForm("/admin/settings/callbacks", { url: RECEIVER, trigger: "failure" }, { cookie: manager });
    expect(noChannel.status).toBe(422);
    expect(summaryFields(await noChannel.text())).toEqual(["channelType-email"]);

    const made = await postForm("/admin/settings/callbacks", { url: RECEIVER, channelType: "email", trigger: "failure", description: "Case system" }, { cookie: manager });
    expect(made.status).toBe(200);
    const html = await made.text();
    const secret = /id="signing-secret" type="text" readonly="" value="(whsec_[^"]+)"/.exec(html)?.[1];
    expect(secret).toBeDefined();
    expect(html).toContain("This is the only time you will see it.");

    const list = await json<{ items: { callbackId: string; channelType: string[]; trigger: string[] }[] }>(await asTenant(a, "GET", CALLBACKS));
    expect(list.items[0]).toMatchObject({ trigger: ["failure"] });
    const id = list.items[0]!.callbackId;
    const listHtml = await (await getPage("/admin/settings/callbacks", manager)).text();
    expect(listHtml).toContain(RECEIVER);
    expect(listHtml).not.toContain(secret!);

    const confirm = await (await getPage(`/admin/settings/callbacks/${id}/rotate`, manager)).text();
    expect(confirm).toContain("Are you sure you want to rotate");
    expect(confirm).not.toContain("whsec_");
    const rotated = await postForm(`/admin/settings/callbacks/${id}/rotate`, {}, { cookie: manager });
    expect(rotated.status).toBe(200);
    const newSecret = /id="signing-secret" type="text" readonly="" value="(whsec_[^"]+)"/.exec(await rotated.text())?.[1];
    expect(newSecret).toBeDefined();
    expect(newSecret).not.toBe(secret);
    for (const path of ["/admin/settings/callbacks", `/admin/settings/callbacks/${id}/delete`, "/admin/settings"]) {
      const text = await (await getPage(path, manager)).text();
      expect(text).not.toContain(secret!);
      expect(text).not.toContain(newSecret!);
    }

    expect((await postForm(`/admin/settings/callbacks/${id}/delete`, {}, { cookie: manager })).headers.get("location")).toBe("/admin/settings/callbacks?deleted=1");
    expect((await asTenant(a, "GET", `${CALLBACKS}/${id}`)).status).toBe(404);
    const entries = await auditOf(a);
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(["callback.created", "callback.secret_rotated", "callback.deleted"]));
    const all = JSON.stringify(entries);
    expect(all).not.toContain(secret!);
    expect(all).not.toContain(newSecret!);
    expect(all).not.toContain("whsec_");
  });

  it("posts repeated channel fields as a browser does", async () => {
    const res = await postRaw("/admin/settings/callbacks", "url=https%3A%2F%2Freceiver.example.com%2Fb&channelType=email&channelType=sms&trigger=success&trigger=failure");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Email, SMS");
  });

  it("refuses a private-network URL with the field named", async () => {
    for (const url of ["https://192.168.1.1/x", "http://127.0.0.1/x", "https://10.0.0.5/hook"]) {
      const res = await postForm("/admin/settings/callbacks", { url, channelType: "email", trigger: "success" }, { cookie: manager });
      expect([url, res.status]).toEqual([url, 422]);
      const html = await res.text();
      expect(summaryFields(html)).toEqual(["url"]);
      expect(html).not.toContain("whsec_");
    }
  });
});

/** A form post with a raw body (repeated fields), as the manager. */
function postRaw(path: string, raw: string): Promise<Response> {
  return call("POST", path, { rawBody: raw, headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE, cookie: manager } });
}

describe("admin UI: settings permissions and isolation", () => {
  it("a read user views defaults and senders but gets 403 on every change and on callbacks", async () => {
    expect((await getPage("/admin/settings/defaults", reader)).status).toBe(200);
    const senders = await getPage("/admin/settings/senders", reader);
    expect(senders.status).toBe(200);
    expect(await senders.text()).not.toContain("/delete");
    for (const path of ["/admin/settings/defaults/edit", "/admin/settings/reply-to/new", "/admin/settings/sms-senders/new", "/admin/settings/callbacks", "/admin/settings/callbacks/new", `/admin/settings/callbacks/${others.callback}/rotate`]) {
      expect([path, (await getPage(path, reader)).status]).toEqual([path, 403]);
    }
    const posts: [string, Record<string, string>][] = [
      ["/admin/settings/defaults", { emailFrom: "x@example.com" }],
      ["/admin/settings/reply-to", { email: "r@example.com" }],
      ["/admin/settings/sms-senders", { sender: "Reader" }],
      [`/admin/settings/reply-to/${others.replyTo}/delete`, {}],
      [`/admin/settings/sms-senders/${others.smsSender}/delete`, {}],
      ["/admin/settings/callbacks", { url: RECEIVER, channelType: "email", trigger: "success" }],
      [`/admin/settings/callbacks/${others.callback}/rotate`, {}],
      [`/admin/settings/callbacks/${others.callback}/delete`, {}],
    ];
    for (const [path, fields] of posts) expect([path, (await postForm(path, fields, { cookie: reader })).status]).toEqual([path, 403]);
  });

  it("another tenant's ids (and ids that are not ids) are the 404 page, and nothing changes", async () => {
    const paths = [
      `/admin/settings/reply-to/${others.replyTo}/delete`,
      `/admin/settings/sms-senders/${others.smsSender}/delete`,
      `/admin/settings/callbacks/${others.callback}/rotate`,
      `/admin/settings/callbacks/${others.callback}/delete`,
      "/admin/settings/callbacks/not-an-id/delete",
      "/admin/settings/reply-to/%00%27%22/delete",
    ];
    for (const path of paths) {
      const get = await getPage(path, manager);
      expect([path, get.status]).toEqual([path, 404]);
      expect(await get.text()).toContain("Page not found");
      expect([path, (await postForm(path, {}, { cookie: manager })).status]).toEqual([path, 404]);
    }
    expect((await asTenant(b, "GET", `/api/v1/tenant/reply-to-addresses/${others.replyTo}`)).status).toBe(200);
    expect((await asTenant(b, "GET", `/api/v1/tenant/sms-senders/${others.smsSender}`)).status).toBe(200);
    expect((await asTenant(b, "GET", `${CALLBACKS}/${others.callback}`)).status).toBe(200);
  });

  it("odd input is never a 500", async () => {
    const long = "x".repeat(100_000);
    const odd = ["\u0000", "‮evil", long, "{{#open", "😀".repeat(500), "-1", "1e9", "86401"];
    for (const v of odd) {
      for (const [path, fields] of [
        ["/admin/settings/defaults", { emailFrom: v, emailReplyTo: v, smsSenderId: v, duplicateWindowSeconds: v, defaultRegion: v, unsubscribe: v }],
        ["/admin/settings/reply-to", { email: v, isDefault: v }],
        ["/admin/settings/sms-senders", { sender: v }],
        ["/admin/settings/callbacks", { url: v, channelType: v, trigger: v, description: v }],
      ] as const) {
        const res = await postForm(path, fields, { cookie: manager });
        // "1e9" is a valid alphanumeric sender id, so a few odd values are accepted; none fails.
        expect([path, v.slice(0, 10), [303, 422].includes(res.status)]).toEqual([path, v.slice(0, 10), true]);
      }
    }
    expect((await getPage(`/admin/settings/callbacks?cursor=${encodeURIComponent(long.slice(0, 600))}`, manager)).status).toBeLessThan(500);
  });
});
