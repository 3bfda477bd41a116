import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { toBase64 } from "../../src/lib/crypto/encoding";
import { call, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// msw errors on any unmocked request and records every mocked one (SES's raw MIME parsed).
const mocks = createProviderMocks();
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Files by email");
  other = await createTestTenant("Files by email, other");
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const bytes = (text: string) => new TextEncoder().encode(text);
const b64 = (data: Uint8Array) => toBase64(data);
const PDF = bytes("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
const LINK = /http:\/\/notify\.test\/f\/([0-9a-f-]{36})\?key=([A-Za-z0-9_-]{43})/;

/** A simple email whose body links `doc`, with `doc` (and any other params) as given. */
const emailWith = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  recipients: { to: ["Amala@Example.com"] },
  content: { subject: "Your letter", body: "Download your letter: {{doc}}" },
  params,
  ...extra,
});

async function sendEmail(body: object, t = tenant) {
  return asTenant(t, "POST", "/api/v1/notifysimple/email", { body });
}

/** Sends, waits for delivery, and answers the link SES was given and the delivered text. */
async function sendAndRead(params: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await sendEmail(emailWith(params, extra));
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  await waitForNotification(tenant, notifyId, (n) => n.status === "delivered");
  const mail = mocks.captured.ses.at(-1)!;
  const match = LINK.exec(mail.mime.text ?? "");
  expect(match, mail.mime.text).not.toBeNull();
  return { notifyId, id: match![1]!, key: match![2]!, url: match![0], text: mail.mime.text! };
}

const row = (id: string) => env.DB.prepare("SELECT * FROM email_files WHERE id = ?").bind(id).first<Record<string, any>>();
const rowsOf = (t: TestTenant) => env.DB.prepare("SELECT id, object_key FROM email_files WHERE tenant_id = ?").bind(t.id).all<{ id: string; object_key: string }>();
const page = (id: string, key?: string) => call("GET", `/f/${id}${key === undefined ? "" : `?key=${key}`}`, { headers: { accept: "text/html" } });
const download = (id: string, key: string, email?: string) =>
  call("POST", `/f/${id}?key=${key}`, email === undefined ? {} : { rawBody: new URLSearchParams({ email }).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });

/** The field paths of a 400 problem. */
async function fieldsOf(res: Response) {
  expect(res.status, await res.clone().text()).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = await json(res);
  return problem.errors.map((e: { path: string; message: string }) => e.path) as string[];
}

describe("sending a file by email", () => {
  it("stores the file in R2, links it in the email, and serves it after the recipient confirms their address", async () => {
    const sent = await sendAndRead({ doc: { file: b64(PDF), filename: "Your letter.pdf", retention_period: "4 weeks" } });
    expect(sent.text).toContain(`Download your letter: ${sent.url}`);

    const stored = await row(sent.id);
    expect(stored).toMatchObject({ tenant_id: tenant.id, notification_id: sent.notifyId, filename: "Your letter.pdf", content_type: "application/pdf", size: PDF.byteLength });
    // Only hashes are kept: neither the key nor the address.
    expect(stored!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(sent.key);
    expect(JSON.stringify(stored).toLowerCase()).not.toContain("amala");
    expect(stored!.expires_at - stored!.created_at).toBe(4 * 7 * 24 * 3600 * 1000);
    const object = await env.BUCKET.get(stored!.object_key);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(PDF);

    // The page asks for the address; a GET never hands the file over.
    const shown = await page(sent.id, sent.key);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("cache-control")).toBe("no-store");
    expect(shown.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await shown.text();
    expect(html).toContain('name="email"');
    expect(html).toContain("Your letter.pdf");
    expect(html).toContain(`action="/f/${sent.id}?key=${sent.key}"`);

    // A wrong address (or none) is the form again, with an error.
    for (const wrong of ["someone@example.com", undefined]) {
      const refused = await download(sent.id, sent.key, wrong);
      expect(refused.status).toBe(403);
      expect(refused.headers.get("content-type")).toContain("text/html");
      expect(await refused.text()).toContain("not the email address the file was sent to");
    }

    const got = await download(sent.id, sent.key, "  amala@example.COM ");
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/pdf");
    expect(got.headers.get("content-disposition")).toBe(`attachment; filename="Your letter.pdf"; filename*=UTF-8''Your%20letter.pdf`);
    expect(got.headers.get("x-content-type-options")).toBe("nosniff");
    expect(got.headers.get("cache-control")).toBe("no-store");
    expect(got.headers.get("referrer-policy")).toBe("no-referrer");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PDF);
  });

  it("serves a file without confirmation from the page's button, the name's non-ASCII letters in filename*", async () => {
    const csv = bytes("name,amount\nAmala,10\n");
    const sent = await sendAndRead({ doc: { file: b64(csv), filename: "relevé été.csv", confirm_email_before_download: false } });
    const html = await (await page(sent.id, sent.key)).text();
    expect(html).not.toContain('name="email"');
    expect(html).toContain("Download the file");
    const got = await download(sent.id, sent.key);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(got.headers.get("content-disposition")).toBe(`attachment; filename="relev_ _t_.csv"; filename*=UTF-8''relev%C3%A9%20%C3%A9t%C3%A9.csv`);
    expect(await got.text()).toBe("name,amount\nAmala,10\n");
    // Notify's default retention: 26 weeks.
    const stored = await row(sent.id);
    expect(stored!.expires_at - stored!.created_at).toBe(26 * 7 * 24 * 3600 * 1000);
    expect(stored!.confirm_email_hash).toBeNull();
  });

  it("without a filename, takes the type from the content and makes a name", async () => {
    const sent = await sendAndRead({ doc: { file: b64(PDF) } });
    const stored = await row(sent.id);
    expect(stored).toMatchObject({ content_type: "application/pdf", filename: `file-${sent.id.slice(-12)}.pdf` });
  });

  it("refuses wrong keys, unknown ids and another file's key alike (404), and an expired file (410) until the cron deletes it", async () => {
    const a = await sendAndRead({ doc: { file: b64(PDF), filename: "a.pdf", confirm_email_before_download: false } });
    const b = await sendAndRead({ doc: { file: b64(PDF), filename: "b.pdf", confirm_email_before_download: false } });
    const otherKey = a.key.slice(0, -1) + (a.key.endsWith("A") ? "B" : "A");
    for (const res of [
      await page(a.id, otherKey),
      await page(a.id),
      await page(a.id, b.key),
      await page(crypto.randomUUID(), a.key),
      await page("not-an-id", a.key),
      await download(a.id, b.key),
    ]) {
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("This link is not valid");
    }

    await env.DB.prepare("UPDATE email_files SET expires_at = ? WHERE id = ?").bind(Date.now() - 1000, a.id).run();
    expect((await page(a.id, a.key)).status).toBe(410);
    expect((await download(a.id, a.key)).status).toBe(410);
    const key = (await row(a.id))!.object_key;

    await runScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env);
    expect(await row(a.id)).toBeNull();
    expect(await env.BUCKET.head(key)).toBeNull();
    expect((await page(a.id, a.key)).status).toBe(404);
    // The other file is not due and stays.
    expect((await download(b.id, b.key)).status).toBe(200);
  });

  it("gives the file of a Notify-shaped send (the early API's personalisation) the same treatment", async () => {
    const template = (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "file letter", channel: "email", subject: "Letter", body: "Here: ((link_to_file))", renderer: "gc" } }))).id;
    const res = await asTenant(tenant, "POST", "/notifications/email", { body: { to: "amala@example.com", template, personalisation: { link_to_file: { file: b64(PDF), filename: "x.pdf" } } } });
    expect(res.status).toBe(201);
    const { id } = (await json(res)).data.notification;
    await waitForNotification(tenant, id, (n) => n.status === "delivered");
    const match = LINK.exec(mocks.captured.ses.at(-1)!.mime.text ?? "");
    expect(match).not.toBeNull();
    expect((await download(match![1]!, match![2]!, "amala@example.com")).status).toBe(200);

    const sms = (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "file sms", channel: "sms", body: "Here: ((link_to_file))", renderer: "gc" } }))).id;
    const refused = await asTenant(tenant, "POST", "/notifications/sms", { body: { to: "+447700900404", template: sms, personalisation: { link_to_file: { file: b64(PDF) } } } });
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual([{ path: "personalisation.link_to_file", message: "Can only send a file by email" }]);
  });
});

describe("what a send with files may not be", () => {
  it("an SMS (400, Notify's message), alone or beside an email sharing the params", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: { recipients: { to: ["+17787001234"] }, content: { body: "Link: {{doc}}" }, params: { doc: { file: b64(PDF) } } } });
    expect(await fieldsOf(res)).toEqual(["params.doc"]);
    const both = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: { params: { doc: { file: b64(PDF), filename: "a.pdf" } }, email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "{{doc}}" } }, sms: { recipients: { to: ["+17787001234"] }, content: { body: "{{doc}}" } } },
    });
    const problem = await json(both.clone());
    expect(await fieldsOf(both)).toEqual(["params.doc"]);
    expect(problem.errors[0].message).toBe("Can only send a file by email");
  });

  it("too big, not base64, empty, of a refused type or extension, with a bad retention or confirmation, or unknown keys: 400 naming the key", async () => {
    const big = new Uint8Array(2 * 1024 * 1024 + 1);
    big.set(PDF);
    const cases: [unknown, string, RegExp][] = [
      [{ file: b64(big), filename: "big.pdf" }, "params.doc.file", /File is larger than 2MB \(2097153 bytes/],
      [{ file: "not base64!", filename: "a.pdf" }, "params.doc.file", /Not valid base64/],
      [{ file: "", filename: "a.pdf" }, "params.doc.file", /empty/],
      [{ file: 42 }, "params.doc.file", /base64 string/],
      [{ file: b64(PDF), filename: "a.zip" }, "params.doc.filename", /^Unsupported file type 'zip'\. Supported types are: 'csv, doc/],
      [{ file: b64(PDF), filename: "noextension" }, "params.doc.filename", /must end with a file extension/],
      [{ file: b64(PDF), filename: `${"a".repeat(97)}.pdf` }, "params.doc.filename", /cannot be longer than 100 characters/],
      [{ file: b64(bytes("MZ\x90\x00 not a pdf")), filename: "a.pdf" }, "params.doc.file", /executable/],
      [{ file: b64(bytes("plain words")), filename: "a.pdf" }, "params.doc.file", /not a PDF/],
      [{ file: b64(Uint8Array.of(0, 1, 2, 3, 0xff)) }, "params.doc.file", /Unsupported file type/],
      [{ file: b64(PDF), retention_period: "79 weeks" }, "params.doc.retention_period", /^Unsupported value for retention_period '79 weeks'\. Supported periods are from 1 to 78 weeks\.$/],
      [{ file: b64(PDF), retention_period: "2 months" }, "params.doc.retention_period", /Supported periods are from 1 to 78 weeks/],
      [{ file: b64(PDF), retention_period: "0 weeks" }, "params.doc.retention_period", /Supported periods/],
      [{ file: b64(PDF), confirm_email_before_download: "yes" }, "params.doc.confirm_email_before_download", /^Unsupported value for confirm_email_before_download: 'yes'\. Use a boolean true or false value\.$/],
      [{ file: b64(PDF), filename: "a.pdf", is_csv: true }, "params.doc.is_csv", /not both/],
      [{ file: b64(PDF), sending_method: "link" }, "params.doc.sending_method", /Not a key of a file/],
    ];
    const before = (await rowsOf(tenant)).results.length;
    for (const [doc, path, message] of cases) {
      const res = await sendEmail(emailWith({ doc }));
      const problem = await json(res.clone());
      expect(await fieldsOf(res), JSON.stringify(problem)).toEqual([path]);
      expect(problem.errors[0].message).toMatch(message);
    }
    expect((await rowsOf(tenant)).results.length).toBe(before);
  });

  it("more than 10 files in one send (400 at params), and files in a mail merge (400)", async () => {
    const params = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, { file: b64(PDF), filename: `f${i}.pdf` }]));
    const res = await sendEmail({ ...emailWith(params), content: { subject: "s", body: Object.keys(params).map((k) => `{{${k}}}`).join(" ") } });
    const problem = await json(res.clone());
    expect(await fieldsOf(res)).toEqual(["params"]);
    expect(problem.errors[0].message).toBe("11 files; an email may carry at most 10");

    const merge = await sendEmail({ recipients: { mergeArray: [["to", "name"], ["a@example.com", "A"]] }, content: { subject: "s", body: "{{name}} {{doc}}" }, params: { doc: { file: b64(PDF), filename: "a.pdf" } } });
    const mergeProblem = await json(merge.clone());
    expect(await fieldsOf(merge)).toEqual(["params.doc"]);
    expect(mergeProblem.errors[0].message).toMatch(/mail merge cannot send a file/);
  });

  it("leaves nothing stored when the send is refused, and stores nothing again for a duplicate", async () => {
    const before = (await rowsOf(other)).results.length;
    const invalid = await sendEmail({ ...emailWith({ doc: { file: b64(PDF), filename: "a.pdf" } }), recipients: { to: ["not an address"] } }, other);
    expect(invalid.status).toBe(422);
    expect((await rowsOf(other)).results.length).toBe(before);
    const listed = await env.BUCKET.list({ prefix: `tenants/${other.id}/email-files/` });
    expect(listed.objects).toHaveLength(0);

    // The same file to the same person within the duplicate window is the same notification, though each link is new.
    const body = emailWith({ doc: { file: b64(PDF), filename: "same.pdf" } });
    const first = await sendEmail(body, other);
    expect(first.status).toBe(201);
    const { notifyId } = await json(first);
    const again = await sendEmail(body, other);
    expect(again.status).toBe(200);
    expect((await json(again)).notifyId).toBe(notifyId);
    expect((await rowsOf(other)).results.length).toBe(before + 1);
    expect((await env.BUCKET.list({ prefix: `tenants/${other.id}/email-files/` })).objects).toHaveLength(1);
    await waitForNotification(other, notifyId);
  });

  it("a preview shows the link's form and stores nothing", async () => {
    const before = (await rowsOf(tenant)).results.length;
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { key: tenant.keys.test, body: emailWith({ doc: { file: b64(PDF), filename: "a.pdf" } }) });
    expect(res.status).toBe(200);
    expect((await json(res)).email[0].content.body).toMatch(LINK);
    expect((await rowsOf(tenant)).results.length).toBe(before);
  });
});
