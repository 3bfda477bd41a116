import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { auditLog, notifications } from "../../src/db/schema";
import { MERGE_UPLOAD_PREFIX, MERGE_UPLOAD_TTL_MS, sweepMergeUploads, toCsv } from "../../src/services/send/merge/uploads";
import { BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { apiTemplate, getPage, postForm, userSession } from "./helpers";

// Merges sent here reach the (mocked) providers: an admin session sends as a live key.
const mocks = createProviderMocks();
const db = createDb(env.DB);

/** A browser's multipart upload of `content` as the form's file (same origin unless told). */
function upload(path: string, content: string | Uint8Array | null, cookie: string, options: { fileName?: string; type?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const form = new FormData();
  if (content !== null) form.set("file", new File([content], options.fileName ?? "people.csv", { type: options.type ?? "text/csv" }));
  return exports.default.fetch(new Request(`${BASE}${path}`, { method: "POST", body: form, redirect: "manual", headers: { origin: BASE, cookie, ...options.headers } }));
}

/** Uploads and answers the upload's id from the redirect to its check page. */
async function uploaded(templateId: string, csv: string, cookie: string): Promise<string> {
  const res = await upload(`/admin/send/${templateId}/merge`, csv, cookie);
  expect(res.status, await res.clone().text()).toBe(303);
  const id = /^\/admin\/send\/uploads\/([0-9a-f]{32})$/.exec(res.headers.get("location") ?? "")?.[1];
  expect(id).toBeDefined();
  return id!;
}

function notifyIdOf(res: Response): string {
  const id = /^\/admin\/send\/merges\/([0-9a-f-]{36})$/.exec(res.headers.get("location") ?? "")?.[1];
  expect(id, `${res.status} ${res.headers.get("location")}`).toBeDefined();
  return id!;
}

const r2Key = (tenant: TestTenant, id: string) => `${MERGE_UPLOAD_PREFIX}${tenant.id}/${id}`;

let tenant: TestTenant;
let other: TestTenant;
let sender: string;
let reader: string;
let otherSender: string;
let emailId: string;
let smsId: string;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Merge UI tenant");
  other = await createTestTenant("Merge UI other");
  sender = await userSession(tenant, "send");
  reader = await userSession(tenant, "read");
  otherSender = await userSession(other, "send");
  emailId = await apiTemplate(tenant, { name: "Induction", channel: "email", subject: "Welcome {{firstname}}", body: "Dear {{firstname}} {{lastname}}, congratulations!" });
  smsId = await apiTemplate(tenant, { name: "Code text", channel: "sms", body: "Hi {{name}}, your code is {{code}}" });
});
afterAll(async () => {
  await settleQueues();
  mocks.server.close();
});

describe("admin UI: mail merge from a CSV file", () => {
  it("is linked from the send page; the upload page offers an example CSV made from the template's placeholders", async () => {
    const choose = await (await getPage("/admin/send", sender)).text();
    expect(choose).toContain(`href="/admin/send/${emailId}/merge"`);
    const form = await getPage(`/admin/send/${emailId}/merge`, sender);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('<input class="file-upload" id="file" name="file" type="file"');
    const example = await getPage(`/admin/send/${emailId}/merge/example.csv`, sender);
    expect(example.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(example.headers.get("content-disposition")).toBe('attachment; filename="Induction-example.csv"');
    const bytes = new Uint8Array(await example.arrayBuffer());
    // A BOM first, so spreadsheets read the file as UTF-8.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toBe("email address,firstname,lastname\r\nann@example.com,example firstname,example lastname\r\n");
  });

  it("whole flow: errors shown and downloadable, a fixed file checked with its suppressed count, a row previewed, sent once, progress to the end, audited", async () => {
    const suppressed = await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "gone@example.com", reason: "test" } });
    expect(suppressed.status).toBe(201);
    // Row 2: not an address; row 3: no lastname; row 4: a formula in a cell, which the merge takes as text.
    const bad = await uploaded(emailId, 'email address,firstname,lastname\r\nfred@example.com,Frederic,Chopin\r\nnot-an-address,Franz,Liszt\r\nclara@example.com,Clara,\r\nrobert@example.com,"=HYPERLINK(""http://evil.example"")",Schumann\r\n', sender);
    const check = await getPage(`/admin/send/uploads/${bad}`, sender);
    expect(check.status).toBe(200);
    const checkHtml = await check.text();
    expect(checkHtml).toContain("Your file cannot be sent yet");
    expect(checkHtml).toContain('<a href="#row-errors">2 errors in the file: fix them and upload the file again</a>');
    expect(checkHtml).toMatch(/<caption class="table__caption">Row errors \(2\)<\/caption>/);
    expect(checkHtml).toMatch(/<td class="numeric">2<\/td><td>to<\/td><td>[^<]+<\/td>/);
    expect(checkHtml).toMatch(/<td class="numeric">3<\/td><td>lastname<\/td><td>Required by the template but not supplied<\/td>/);
    // No send form while there are errors.
    expect(checkHtml).not.toContain(`action="/admin/send/uploads/${bad}" `);
    expect(checkHtml).not.toMatch(/<form method="post" action="\/admin\/send\/uploads\//);
    const errorsCsv = await getPage(`/admin/send/uploads/${bad}/errors.csv`, sender);
    expect(errorsCsv.headers.get("content-disposition")).toBe('attachment; filename="people-errors.csv"');
    const lines = (await errorsCsv.text()).replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[0]).toBe("row,column,message");
    expect(lines[1]).toMatch(/^2,to,/);
    expect(lines[2]).toBe("3,lastname,Required by the template but not supplied");
    expect(lines).toHaveLength(4);

    // The corrected file: a new upload, checked again.
    const fixed = await uploaded(emailId, 'email address,firstname,lastname\r\nfred@example.com,Frederic,Chopin\r\nfranz@example.com,Franz,Liszt\r\ngone@example.com,Clara,Schumann\r\nrobert@example.com,"=HYPERLINK(""http://evil.example"")",Schumann\r\n', sender);
    const ok = await (await getPage(`/admin/send/uploads/${fixed}`, sender)).text();
    expect(ok).toContain("Check and send 3 messages");
    expect(ok).toMatch(/Rows<\/dt><dd class="summary-list__value">4</);
    expect(ok).toMatch(/Suppressed recipients \(left out\)<\/dt><dd class="summary-list__value">1</);
    expect(ok).toMatch(/outside your guest list<\/dt><dd class="summary-list__value">0</);
    expect(ok).toContain(`<form method="post" action="/admin/send/uploads/${fixed}" novalidate="">`);

    const row4 = await getPage(`/admin/send/uploads/${fixed}/preview?row=4`, sender);
    expect(row4.status).toBe(200);
    const row4Html = await row4.text();
    expect(row4Html).toContain("robert@example.com");
    expect(row4Html).toContain("Welcome =HYPERLINK(&quot;http://evil.example&quot;)");
    const outOfRange = await getPage(`/admin/send/uploads/${fixed}/preview?row=99`, sender);
    expect(outOfRange.status).toBe(422);
    expect(await outOfRange.text()).toContain('<a href="#row">Row number: enter a whole number from 1 to 4</a>');

    const sent = await postForm(`/admin/send/uploads/${fixed}`, { when: "now", scheduledFor: "" }, { cookie: sender });
    expect(sent.status, await sent.clone().text()).toBe(303);
    const notifyId = notifyIdOf(sent);
    // The file is deleted once sent; posting again answers the same merge.
    expect(await env.BUCKET.head(r2Key(tenant, fixed))).toBeNull();
    const again = await postForm(`/admin/send/uploads/${fixed}`, { when: "now", scheduledFor: "" }, { cookie: sender });
    expect(notifyIdOf(again)).toBe(notifyId);
    // The check page of the sent file (the browser's back button) leads to the merge.
    expect(notifyIdOf(await getPage(`/admin/send/uploads/${fixed}`, sender))).toBe(notifyId);

    const running = await getPage(`/admin/send/merges/${notifyId}`, reader);
    expect(running.status).toBe(200);
    await settleQueues();
    const done = await (await getPage(`/admin/send/merges/${notifyId}`, reader)).text();
    expect(done).toContain("3 of 3 messages done (100%)");
    expect(done).not.toContain("hx-get");
    expect(done).toContain("No message failed.");
    const fragment = await (await getPage(`/admin/send/merges/${notifyId}`, reader).then(() => exports.default.fetch(new Request(`${BASE}/admin/send/merges/${notifyId}`, { headers: { cookie: reader, "hx-request": "true" } })))).text();
    expect(fragment.startsWith('<div id="merge-progress"')).toBe(true);
    expect(fragment).not.toContain("<html");

    const subjects = mocks.captured.ses.filter((m) => m.destination.ToAddresses?.some((a) => /^(fred|franz|robert|gone)@example\.com$/.test(a))).map((m) => m.mime.subject).sort();
    expect(subjects).toEqual(["Welcome =HYPERLINK(\"http://evil.example\")", "Welcome Franz", "Welcome Frederic"]);
    const entries = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "merge.sent")));
    expect(entries.map((e) => e.target)).toEqual([`notification:${notifyId}`]);
  });

  it("the API's CSV upload counts a suppressed row's recipient in its preview, as the screen shows it", async () => {
    const form = new FormData();
    form.set("request", JSON.stringify({ email: { content: { templateId: emailId } } }));
    form.set("file", new File(["email address,firstname,lastname\r\ngone@example.com,Clara,Schumann\r\nkeep@example.com,Kim,Lee\r\n"], "p.csv", { type: "text/csv" }));
    const res = await exports.default.fetch(new Request(`${BASE}/api/v1/notifysimple?preview=true`, { method: "POST", body: form, headers: { "x-api-key": tenant.keys.live } }));
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json<{ merge: { email: { suppressed: number; sent: number } } }>(res)).merge.email).toMatchObject({ suppressed: 1, sent: 1 });
  });

  it("while running the progress block polls itself; failures download as CSV with formula-like cells escaped", async () => {
    mocks.failNext("twilio", { status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 } });
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550101,Ann,1\r\n", sender);
    const notifyId = notifyIdOf(await postForm(`/admin/send/uploads/${id}`, { when: "now" }, { cookie: sender }));
    const running = await (await getPage(`/admin/send/merges/${notifyId}`, reader)).text();
    if (!running.includes("100%")) expect(running).toContain(`hx-get="/admin/send/merges/${notifyId}" hx-trigger="every 2s" hx-swap="outerMorph"`);
    await settleQueues();
    const done = await (await getPage(`/admin/send/merges/${notifyId}`, reader)).text();
    expect(done).toContain(`href="/admin/send/merges/${notifyId}/failures.csv"`);
    const csv = (await (await getPage(`/admin/send/merges/${notifyId}/failures.csv`, reader)).text()).replace(/^\uFEFF/, "").split("\r\n");
    expect(csv[0]).toBe("recipient,channel,status,error code,error message,message id,completed at");
    // A number starting with + is what a spreadsheet would run as a formula: it gets a leading '.
    expect(csv[1]).toMatch(/^'\+16135550101,sms,permanent-failure,[^,]+,/);
  });

  it("writes CSV cells a spreadsheet would run as text", () => {
    expect(toCsv([["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", 'a,"b"', 7, null]])).toBe(`'=1+1,'+1,'-2,'@SUM(A1),'\tx,"'\rx",plain,"a,""b""",7,\r\n`);
  });

  it("schedules a merge: a bad time is named at its field, a good one makes a scheduled merge", async () => {
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550102,Bea,2\r\n", sender);
    const missing = await postForm(`/admin/send/uploads/${id}`, { when: "later", scheduledFor: "" }, { cookie: sender });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('<a href="#scheduledFor">Send at: enter the date and time to send at</a>');
    const past = await postForm(`/admin/send/uploads/${id}`, { when: "later", scheduledFor: "2020-01-01T10:00" }, { cookie: sender });
    expect(past.status).toBe(422);
    expect(await past.text()).toMatch(/<a href="#scheduledFor">Send at: Must be in the future/);
    const far = await postForm(`/admin/send/uploads/${id}`, { when: "later", scheduledFor: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 16) }, { cookie: sender });
    expect(await far.text()).toMatch(/Send at: Must be within 30 days/);
    const at = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    const sent = await postForm(`/admin/send/uploads/${id}`, { when: "later", scheduledFor: at }, { cookie: sender });
    const notifyId = notifyIdOf(sent);
    const status = await json<{ status: string; scheduledFor: string }>(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(status.status).toBe("scheduled");
    expect(status.scheduledFor).toBe(`${at}:00.000Z`);
    const page = await (await getPage(`/admin/send/merges/${notifyId}`, reader)).text();
    expect(page).toContain("Scheduled for");
    // Waiting for its time, the page looks again each minute, not every 2 s for a day.
    expect(page).toContain('hx-trigger="every 60s"');
    expect((await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`)).status).toBe(200);
  });

  it("the same upload posted twenty times at once makes one merge", async () => {
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550103,Cy,3\r\n+16135550104,Di,4\r\n", sender);
    const before = (await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, tenant.id))).length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => postForm(`/admin/send/uploads/${id}`, { when: "now" }, { cookie: sender })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 303), JSON.stringify(statuses)).toBe(true);
    expect(new Set(answers.map(notifyIdOf)).size).toBe(1);
    const after = (await db.select({ id: notifications.id }).from(notifications).where(eq(notifications.tenantId, tenant.id))).length;
    expect(after - before).toBe(1);
    await settleQueues();
    expect(mocks.captured.twilio.filter((m) => m.to === "+16135550103")).toHaveLength(1);
  });

  it("another upload of a file sent within the duplicate window sends nothing: that upload is deleted, audited merge.duplicate, and the page names the merge that sent it", async () => {
    const csv = "phone number,name,code\r\n+16135550105,Ed,5\r\n+16135550106,Flo,6\r\n";
    const first = await uploaded(smsId, csv, sender);
    const notifyId = notifyIdOf(await postForm(`/admin/send/uploads/${first}`, { when: "now" }, { cookie: sender }));
    const second = await uploaded(smsId, csv, sender);
    expect(second).not.toBe(first);
    const res = await postForm(`/admin/send/uploads/${second}`, { when: "now" }, { cookie: sender });
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get("location")).toBe(`/admin/send/merges/${notifyId}?done=duplicate`);
    expect(await env.BUCKET.head(r2Key(tenant, second))).toBeNull();

    const html = await (await getPage(res.headers.get("location")!, sender)).text();
    expect(html).toContain('<div class="notification-banner" role="region" aria-labelledby="already-sent"><h2 class="heading-m" id="already-sent">This file was already sent</h2>');
    expect(html).toContain(`It is the same as merge <a href="/admin/send/merges/${notifyId}">${notifyId}</a>, sent within your duplicate window, so nothing new was sent and the file you uploaded has been deleted.`);
    // The merge's own page, without the query, has no notice.
    expect(await (await getPage(`/admin/send/merges/${notifyId}`, sender)).text()).not.toContain("already sent");

    const actions = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.target, `notification:${notifyId}`)));
    expect(actions.map((e) => e.action).sort()).toEqual(["merge.duplicate", "merge.sent"]);
    expect(actions.find((e) => e.action === "merge.duplicate")?.detail).toEqual({ template: smsId, channel: "sms", rows: 2, file: "people.csv" });
    await settleQueues();
    expect(mocks.captured.twilio.filter((m) => m.to === "+16135550105")).toHaveLength(1);
  });

  it("a trial tenant's check counts the rows addressed outside its guest list, and blocks the send", async () => {
    const trial = await createTestTenant("Merge UI trial", { status: "trial" });
    const trialSender = await userSession(trial, "send");
    const template = await apiTemplate(trial, { name: "Trial text", channel: "sms", body: "Hello {{name}}" });
    expect((await asTenant(trial, "PUT", "/api/v1/tenant/guest-list", { body: { phones: ["+16135550105"], emails: [] } })).status).toBeLessThan(300);
    const id = await uploaded(template, "phone number,name\r\n+16135550105,Guest\r\n+16135550106,Stranger\r\n", trialSender);
    const html = await (await getPage(`/admin/send/uploads/${id}`, trialSender)).text();
    expect(html).toMatch(/outside your guest list<\/dt><dd class="summary-list__value">1</);
    expect(html).toMatch(/<td class="numeric">2<\/td><td>to<\/td><td>\+16135550106 is not on your guest list/);
    expect(html).toContain("Your file cannot be sent yet");
  });

  it("roles: a read user cannot upload, check or send; it may follow progress", async () => {
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550107,Ed,5\r\n", sender);
    expect((await getPage(`/admin/send/${smsId}/merge`, reader)).status).toBe(403);
    expect((await upload(`/admin/send/${smsId}/merge`, "phone number,name,code\r\n+16135550107,Ed,5\r\n", reader)).status).toBe(403);
    expect((await getPage(`/admin/send/uploads/${id}`, reader)).status).toBe(403);
    expect((await getPage(`/admin/send/uploads/${id}/errors.csv`, reader)).status).toBe(403);
    expect((await postForm(`/admin/send/uploads/${id}`, { when: "now" }, { cookie: reader })).status).toBe(403);
    expect(await env.BUCKET.head(r2Key(tenant, id))).not.toBeNull();
    expect(mocks.captured.twilio.some((m) => m.to === "+16135550107")).toBe(false);
    expect((await getPage(`/admin/send/${smsId}/merge`)).status).toBe(303);
  });

  it("another tenant's upload and merge ids are the 404 page; its file stays unsent", async () => {
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550108,Flo,6\r\n", sender);
    const notifyId = notifyIdOf(await postForm(`/admin/send/uploads/${await uploaded(smsId, "phone number,name,code\r\n+16135550109,Gus,7\r\n", sender)}`, { when: "now" }, { cookie: sender }));
    for (const path of [`/admin/send/uploads/${id}`, `/admin/send/uploads/${id}/errors.csv`, `/admin/send/uploads/${id}/preview?row=1`, `/admin/send/merges/${notifyId}`, `/admin/send/merges/${notifyId}/failures.csv`, `/admin/send/${smsId}/merge`, `/admin/send/${smsId}/merge/example.csv`]) {
      const res = await getPage(path, otherSender);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("+1613555010");
    }
    expect((await postForm(`/admin/send/uploads/${id}`, { when: "now" }, { cookie: otherSender })).status).toBe(404);
    expect((await upload(`/admin/send/${smsId}/merge`, "phone number,name,code\r\n+16135550108,X,1\r\n", otherSender)).status).toBe(404);
    expect((await getPage("/admin/send/uploads/not-an-id", sender)).status).toBe(404);
    expect(await env.BUCKET.head(r2Key(tenant, id))).not.toBeNull();
  });

  it("CSRF: an upload or a send from another site, or without a form body, is refused", async () => {
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550110,Hal,8\r\n", sender);
    expect((await upload(`/admin/send/${smsId}/merge`, "phone number,name,code\r\n+16135550110,Hal,8\r\n", sender, { headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await postForm(`/admin/send/uploads/${id}`, { when: "now" }, { cookie: sender, headers: { origin: "https://evil.example" } })).status).toBe(403);
    const asJson = await exports.default.fetch(new Request(`${BASE}/admin/send/uploads/${id}`, { method: "POST", body: '{"when":"now"}', headers: { origin: BASE, cookie: sender, "content-type": "application/json" } }));
    expect(asJson.status).toBe(403);
    expect(mocks.captured.twilio.some((m) => m.to === "+16135550110")).toBe(false);
  });

  describe("odd files are refused at the file field and not kept", () => {
    const refused = async (content: string | Uint8Array | null, message: RegExp, options: { type?: string } = {}) => {
      const res = await upload(`/admin/send/${smsId}/merge`, content, sender, options);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toMatch(message);
      expect(html).toContain('<a href="#file">');
    };

    it("no file, an empty file, a header alone", async () => {
      await refused(null, /Choose a CSV file/);
      await refused("", /Choose a CSV file/);
      await refused("phone number,name,code\r\n", /needs a header row and at least one row/);
    });

    it("binary and not UTF-8", async () => {
      await refused(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), /Not valid UTF-8|NUL bytes/, { type: "image/png" });
      await refused("phone number,name\r\n+16135550111,a\u0000b\r\n", /NUL bytes/);
      await refused(new Uint8Array([0x61, 0xff, 0xfe, 0x0a]), /Not valid UTF-8/);
    });

    it("not CSV: an unterminated quote", async () => {
      await refused('phone number,name\r\n"+16135550112,unterminated\r\n', /cannot be used: .*(Quote|quote)/);
    });

    it("more rows than a merge may have, and more bytes than a file may have", async () => {
      await refused(`phone number,name,code\n${"+16135550113,a,1\n".repeat(50_001)}`, /The file has 50001 rows; a merge has at most 50000/);
      // Past the file bound the body is refused before it is read: the UI's 413 page.
      const huge = await upload(`/admin/send/${smsId}/merge`, `phone number,name,code\n${"x".repeat(13 * 1024 * 1024)}\n`, sender);
      expect(huge.status).toBe(413);
      expect(await huge.text()).toContain("larger than 12 MB");
      // A byte past the file's own bound, within the body's: answered at the field.
      await refused(`phone number\n${"x".repeat(12 * 1024 * 1024 - 12)}`, /At most 12582912 bytes/);
    }, 30_000);

    it("deep Unicode is kept as written: combining marks, emoji, right-to-left, a BOM", async () => {
      const name = "Zoe\u0308\u0301\u0327 👩🏽‍💻 مرحبا \u202Eevil";
      const id = await uploaded(smsId, `\uFEFFphone number,name,code\r\n+16135550114,${name},9\r\n`, sender);
      const preview = await (await getPage(`/admin/send/uploads/${id}/preview?row=1`, sender)).text();
      expect(preview).toContain(`Hi ${name}, your code is 9`);
      const check = await (await getPage(`/admin/send/uploads/${id}`, sender)).text();
      expect(check).toContain("Check and send 1 message");
    });
  });

  it("a file's name is shown without control or bidi characters (an RLO would reverse how it reads)", async () => {
    const res = await upload(`/admin/send/${smsId}/merge`, "phone number,name,code\r\n+16135550116,Ned,1\r\n", sender, { fileName: "list\u202Evsc.exe\u200B\u2028" });
    expect(res.status).toBe(303);
    const check = await (await getPage(res.headers.get("location")!, sender)).text();
    expect(check).toContain("listvsc.exe");
    expect(check).not.toMatch(/[\u202E\u200B\u2028]/);
  });

  it("the cron deletes uploads older than a day and keeps the rest", async () => {
    const id = await uploaded(smsId, "phone number,name,code\r\n+16135550115,Ivy,1\r\n", sender);
    expect(await sweepMergeUploads(env, new Date())).toBe(0);
    expect(await env.BUCKET.head(r2Key(tenant, id))).not.toBeNull();
    expect(await sweepMergeUploads(env, new Date(Date.now() + MERGE_UPLOAD_TTL_MS + 60_000))).toBeGreaterThan(0);
    expect(await env.BUCKET.head(r2Key(tenant, id))).toBeNull();
    expect((await getPage(`/admin/send/uploads/${id}`, sender)).status).toBe(404);
  });
});
