import { exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asAdmin, BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// The CSV form of a mail merge: multipart/form-data with the JSON in `request` and the file in `file`.
const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Mail merge CSV");
  await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { from: "Hall of Fame <fame@example.gov>" } } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const content = {
  subject: "Induction into composer hall of fame",
  body: "Dear {{firstname}} {{lastname}}\n Congratulations on being inducted into the composer hall of fame !",
  bodyType: "text",
};

function upload(csv: string | Blob, request: unknown = { email: { content } }, options: { query?: string; channel?: string; key?: string } = {}) {
  const form = new FormData();
  form.set("request", typeof request === "string" ? request : JSON.stringify(request));
  form.set("file", typeof csv === "string" ? new Blob([csv], { type: "text/csv" }) : csv, "merge.csv");
  if (options.channel) form.set("channel", options.channel);
  return exports.default.fetch(new Request(`${BASE}/api/v1/notifysimple${options.query ?? ""}`, { method: "POST", headers: { "x-api-key": options.key ?? tenant.keys.live }, body: form }));
}

const preview = async (csv: string, request?: unknown) => {
  const res = await upload(csv, request, { query: "?preview=true" });
  expect(res.status).toBe(200);
  return json(res);
};

describe("mail merge from CSV", () => {
  it("sends the same two emails as the seed's 4.1", async () => {
    const res = await upload("to,firstname,lastname\nfred@example.com,Frederic,Chopin\nfranz@me.com,Franz,Liszt\n");
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ channels: { email: 2 }, merge: { email: { rows: 2, sent: 2, skipped: 0 } } });
    await waitForNotification(tenant, receipt.notifyId);
    const sent = mocks.captured.ses.map((s) => [s.destination.ToAddresses?.[0], s.mime.text?.trim()]).sort();
    expect(sent).toEqual([
      ["franz@me.com", "Dear Franz Liszt\n Congratulations on being inducted into the composer hall of fame !"],
      ["fred@example.com", "Dear Frederic Chopin\n Congratulations on being inducted into the composer hall of fame !"],
    ]);
  });

  it("previews exactly what the JSON mergeArray previews", async () => {
    const fromCsv = await preview("to,firstname,lastname\nfred@example.com,Frederic,Chopin\nfranz@me.com,Franz,Liszt\n");
    const fromJson = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", {
        body: { email: { content, recipients: { mergeArray: [["to", "firstname", "lastname"], ["fred@example.com", "Frederic", "Chopin"], ["franz@me.com", "Franz", "Liszt"]] } } },
      }),
    );
    expect(fromCsv.email).toEqual(fromJson.email);
    expect(fromCsv.email).toHaveLength(2);
  });

  it("reads quotes, embedded commas and newlines, a BOM and CRLF line ends", async () => {
    const csv = '\uFEFFto,firstname,lastname\r\n"fred@example.com","Frederic ""Fryderyk""","Chopin, Jr."\r\n"franz@me.com, anna@me.com","Franz\r\nFerenc",Liszt\r\n';
    const out = await preview(csv);
    expect(out.email.map((m: any) => [m.recipients.to, m.content.body.split("\n Congratulations")[0]])).toEqual([
      [["fred@example.com"], 'Dear Frederic "Fryderyk" Chopin, Jr.'],
      [["franz@me.com", "anna@me.com"], "Dear Franz\r\nFerenc Liszt"],
    ]);
  });

  it("takes GOV.UK Notify's column names, in any case, trimmed", async () => {
    const out = await preview(" Email Address ,firstname,lastname\nfred@example.com,Frederic,Chopin\n");
    expect(out.email[0].recipients.to).toEqual(["fred@example.com"]);
    const sms = await preview("PHONE NUMBER,firstname\n+17787001234,Fred\n", { sms: { content: { body: "Hi {{firstname}}" } } });
    expect(sms.sms[0]).toMatchObject({ recipients: { to: ["+17787001234"] }, content: { body: "Hi Fred" } });
  });

  it("skips empty rows and keeps the row numbers as written", async () => {
    const res = await upload("to,firstname,lastname\n\nfred@example.com,Frederic,Chopin\n,,\nnot-an-address,A,B\n");
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toEqual([{ row: 4, column: "to", path: "file[4][0]", message: expect.stringContaining("not-an-address") }]);
    expect(problem.detail).toMatch(/1 of 2 rows of file/);
  });

  it("a file without a to column is a 400 naming the header", async () => {
    const res = await upload("email,firstname\nfred@example.com,Fred\n");
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0]).toMatchObject({ path: "file[0]", message: expect.stringContaining("to column") });
  });

  it("an unterminated quote is a 400 at file", async () => {
    const res = await upload('to,firstname\n"fred@example.com,Fred\n');
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0].path).toBe("file");
  });

  it("more than 50,000 rows is a 413; a file over the byte bound (12 MiB) is a 413", async () => {
    const rows = Array.from({ length: 50_001 }, (_, i) => `p${i}@example.com,A,B`).join("\n");
    const tooMany = await upload(`to,firstname,lastname\n${rows}\n`);
    expect(tooMany.status).toBe(413);
    expect((await json(tooMany)).detail).toMatch(/at most 50000 rows/);
    const tooBig = await upload(`to,firstname,lastname\nfred@example.com,${"x".repeat(12 * 1024 * 1024)},B\n`);
    expect(tooBig.status).toBe(413);
    expect((await json(tooBig)).errors[0].path).toBe("file");
  });

  it("with skipInvalidRows in the JSON sends the valid rows", async () => {
    const res = await upload("to,firstname,lastname\nfred@example.com,Frederic,Chopin\nbad,A,B\n", { email: { content, recipients: { skipInvalidRows: true } } });
    expect(res.status).toBe(201);
    expect((await json(res)).merge.email).toMatchObject({ sent: 1, skipped: 1, errors: [{ row: 2, column: "to", path: "file[2][0]" }] });
  });

  it("the file and recipients in the JSON are exclusive; the channel must be clear", async () => {
    const withTo = await upload("to,firstname,lastname\nfred@example.com,A,B\n", { email: { content, recipients: { to: ["x@example.com"] } } });
    expect(withTo.status).toBe(400);
    expect((await json(withTo)).errors.map((e: any) => e.path)).toContain("email.recipients.to");
    const withMerge = await upload("to,firstname,lastname\nfred@example.com,A,B\n", { email: { content, recipients: { mergeArray: [["to"], ["x@example.com"]] } } });
    expect(withMerge.status).toBe(400);
    const both = await upload("to,firstname\n+17787001234,A\n", { email: { content, recipients: { to: ["x@example.com"] } }, sms: { content: { body: "Hi {{firstname}}" } } });
    expect(both.status).toBe(400);
    expect((await json(both)).errors[0].path).toBe("channel");
    const named = await upload("to,firstname\n+17787001234,A\n", { params: { firstname: "F", lastname: "L" }, email: { content, recipients: { to: ["x@example.com"] } }, sms: { content: { body: "Hi {{firstname}}" } } }, { channel: "sms", query: "?preview=true" });
    expect(named.status).toBe(200);
    expect((await json(named)).sms[0].content.body).toBe("Hi A");
    expect((await upload("to\nx@example.com\n", "{not json")).status).toBe(400);
  });

  it("a body-less POST is still the 400 it was (the route now takes two media types)", async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/api/v1/notifysimple`, { method: "POST", headers: { "x-api-key": tenant.keys.live } }));
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0]).toMatchObject({ path: "email", message: "Give at least one channel: email, sms or msgApp" });
    const text = await exports.default.fetch(new Request(`${BASE}/api/v1/notifysimple`, { method: "POST", headers: { "x-api-key": tenant.keys.live, "content-type": "text/plain" }, body: "hi" }));
    expect(text.status).toBe(415);
  });

  it("needs the send permission", async () => {
    const reader = await json(await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: "reader", type: "test", permissions: ["read"] } }));
    const res = await upload("to,firstname,lastname\nfred@example.com,A,B\n", undefined, { key: reader.key });
    expect(res.status).toBe(403);
  });
});
