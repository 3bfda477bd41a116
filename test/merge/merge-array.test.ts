import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asAdmin, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// The seed's §4 (seeds/004_…txt), its typos `{{lastname))` and `].` corrected.
const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Mail merge");
  const res = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { from: "Hall of Fame <fame@example.gov>" } } });
  expect(res.status).toBe(200);
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

export const example41 = {
  recipients: {
    mergeArray: [
      ["to", "firstname", "lastname"],
      ["fred@example.com", "Frederic", "Chopin"],
      ["franz@me.com", "Franz", "Liszt"],
    ],
  },
  content: {
    subject: "Induction into composer hall of fame",
    body: "Dear {{firstname}} {{lastname}}\n Congratulations on being inducted into the composer hall of fame !",
    bodyType: "text",
  },
};

const body = (first: string, last: string) => `Dear ${first} ${last}\n Congratulations on being inducted into the composer hall of fame !`;

describe("seed 4.1: send a simple mail-merge email", () => {
  it("sends one email per row, each rendered with its row", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: example41 });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ status: "accepted", channels: { email: 2 }, merge: { email: { rows: 2, sent: 2, skipped: 0, errors: [], suppressed: 0, notAllowed: 0 } } });
    const final = await waitForNotification(tenant, receipt.notifyId);
    expect(final.status).toBe("delivered");
    expect(mocks.captured.ses).toHaveLength(2);
    const sent = mocks.captured.ses.map((s) => ({ to: s.destination.ToAddresses, subject: s.mime.subject, text: s.mime.text?.trim() }));
    sent.sort((a, b) => String(a.to?.[0]).localeCompare(String(b.to?.[0])));
    expect(sent).toEqual([
      { to: ["franz@me.com"], subject: "Induction into composer hall of fame", text: body("Franz", "Liszt") },
      { to: ["fred@example.com"], subject: "Induction into composer hall of fame", text: body("Frederic", "Chopin") },
    ]);
  });

  it("works on /notifysimple with the email channel, and for SMS", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: {
        params: { prize: "the hall of fame" },
        email: example41,
        sms: { recipients: { mergeArray: [["phone number", "firstname"], ["+17787001234", "Frederic"], ["7787001235", "Franz"]] }, content: { body: "Hi {{firstname}}, welcome to {{prize}}" } },
      },
    });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 2, sms: 2 });
    await waitForNotification(tenant, receipt.notifyId);
    const texts = mocks.captured.twilio.map((t) => [t.to, t.body]).sort();
    expect(texts).toEqual([
      ["+17787001234", "Hi Frederic, welcome to the hall of fame"],
      ["+17787001235", "Hi Franz, welcome to the hall of fame"],
    ]);
  });
});

describe("seed 4.2: preview a simple mail-merge email", () => {
  it("answers the rendered messages and sends nothing", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: example41 });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email).toHaveLength(2);
    expect(preview.email.map((m: any) => ({ recipients: m.recipients, content: { subject: m.content.subject, body: m.content.body, bodyType: m.content.bodyType, encoding: m.content.encoding } }))).toEqual([
      { recipients: { to: ["fred@example.com"] }, content: { subject: "Induction into composer hall of fame", body: body("Frederic", "Chopin"), bodyType: "text", encoding: "utf-8" } },
      { recipients: { to: ["franz@me.com"] }, content: { subject: "Induction into composer hall of fame", body: body("Franz", "Liszt"), bodyType: "text", encoding: "utf-8" } },
    ]);
    expect(preview.merge.email).toMatchObject({ rows: 2, sent: 2, skipped: 0 });
    expect(mocks.captured.ses).toHaveLength(0);
  });

  it("shows the first previewRows rows (default 10, at most 100) and counts them all", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => [`p${i}@example.com`, `P${i}`, "X"]);
    const merge = { ...example41, recipients: { mergeArray: [["to", "firstname", "lastname"], ...rows] } };
    const standard = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: merge }));
    expect(standard.email).toHaveLength(10);
    expect(standard.merge.email.rows).toBe(25);
    const more = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true&previewRows=20", { body: merge }));
    expect(more.email).toHaveLength(20);
    expect(more.email[19].recipients.to).toEqual(["p19@example.com"]);
    expect((await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true&previewRows=101", { body: merge })).status).toBe(400);
  });
});

describe("mail merge: the rows", () => {
  it("a cell may hold several addresses, and cc/bcc columns work; row params win over the request's", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", {
      body: {
        params: { firstname: "Nobody", lastname: "Default" },
        email: { ...example41, recipients: { mergeArray: [["To", "CC", "firstname"], ["a@example.com, b@example.com", "c@example.com", "Ann"]] } },
      },
    });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email[0].recipients).toEqual({ to: ["a@example.com", "b@example.com"], cc: ["c@example.com"] });
    expect(preview.email[0].content.body).toBe(body("Ann", "Default"));
  });

  it("refuses the whole request for one invalid row by default, listing row, column and message", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      body: { ...example41, recipients: { mergeArray: [["to", "firstname", "lastname"], ["ok@example.com", "A", "B"], ["not-an-address", "C", "D"], ["x@example.com", "", "F"], ["y@example.com", "G"]] } },
    });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.detail).toMatch(/3 of 4 rows/);
    expect(problem.errors).toEqual([
      { row: 2, column: "to", path: "recipients.mergeArray[2][0]", message: expect.stringContaining("not-an-address") },
      { row: 3, column: "firstname", path: "recipients.mergeArray[3][1]", message: "Required by the template but not supplied" },
      { row: 4, column: null, path: "recipients.mergeArray[4]", message: "2 cells; the header has 3" },
    ]);
    expect(mocks.captured.ses).toHaveLength(0);
  });

  it("lists the first 100 row errors and the total", async () => {
    const rows = Array.from({ length: 150 }, (_, i) => [`bad${i}`, "A", "B"]);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { ...example41, recipients: { mergeArray: [["to", "firstname", "lastname"], ...rows] } } });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toHaveLength(100);
    expect(problem.errorsTotal).toBe(150);
    expect(problem.detail).toMatch(/150 of 150 rows/);
  });

  it("with skipInvalidRows sends the valid rows and reports the skipped ones", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      body: { ...example41, recipients: { skipInvalidRows: true, mergeArray: [["to", "firstname", "lastname"], ["ok@example.com", "A", "B"], ["not-an-address", "C", "D"]] } },
    });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 1 });
    expect(receipt.merge.email).toMatchObject({ rows: 2, sent: 1, skipped: 1, errors: [{ row: 2, column: "to", path: "recipients.mergeArray[2][0]" }] });
    await waitForNotification(tenant, receipt.notifyId);
    expect(mocks.captured.ses.map((s) => s.destination.ToAddresses)).toEqual([["ok@example.com"]]);
  });

  it("with skipInvalidRows and no valid row is a 422", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { ...example41, recipients: { skipInvalidRows: true, mergeArray: [["to", "firstname", "lastname"], ["nope", "A", "B"]] } } });
    expect(res.status).toBe(422);
    expect((await json(res)).detail).toMatch(/1 of 1 rows .*no row is left to send/);
  });

  it("a problem of the request as a whole is reported once, not per row", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      body: { ...example41, sender: { from: "not an address" }, recipients: { mergeArray: [["to", "firstname", "lastname"], ["a@example.com", "A", "B"], ["b@example.com", "C", "D"]] } },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ path: "sender.from", message: expect.any(String) }]);
  });
});

describe("mail merge: shape (400) and bound (413)", () => {
  const send = (recipients: unknown, path = "/api/v1/notifysimple/email") => asTenant(tenant, "POST", path, { body: { ...example41, recipients } });

  it.each([
    ["to", { to: ["a@example.com"], mergeArray: example41.recipients.mergeArray }, "recipients.to"],
    ["cc", { cc: ["a@example.com"], mergeArray: example41.recipients.mergeArray }, "recipients.cc"],
    ["a subscription service", { subscription: "applicants", mergeArray: example41.recipients.mergeArray }, "recipients.subscription"],
    ["skipInvalidRows alone", { to: ["a@example.com"], skipInvalidRows: true }, "recipients.skipInvalidRows"],
  ])("mergeArray with %s is a 400", async (_name, recipients, path) => {
    const res = await send(recipients);
    expect(res.status).toBe(400);
    expect((await json(res)).errors.map((e: any) => e.path)).toContain(path);
  });

  it("a group in a cell is a 400", async () => {
    const res = await send({ mergeArray: [["to", "firstname", "lastname"], ["group:Everyone", "A", "B"]] });
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0]).toMatchObject({ path: "recipients.mergeArray[1][0]" });
  });

  it("a header without to, a repeated column, cc on SMS, no data rows are 400s", async () => {
    expect((await json(await send({ mergeArray: [["email", "firstname"], ["a@example.com", "A"]] }))).errors[0]).toMatchObject({ path: "recipients.mergeArray[0]", message: expect.stringContaining("to column") });
    expect((await json(await send({ mergeArray: [["to", "to"], ["a@example.com", "b@example.com"]] }))).errors[0]).toMatchObject({ path: "recipients.mergeArray[0][1]" });
    expect((await send({ mergeArray: [["to", "firstname"], ["", ""]] })).status).toBe(400);
    const sms = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: { recipients: { mergeArray: [["to", "cc"], ["+17787001234", "a@example.com"]] }, content: { body: "Hi" } } });
    expect(sms.status).toBe(400);
    expect((await json(sms)).errors[0]).toMatchObject({ path: "recipients.mergeArray[0][1]" });
  });

  it("more than 50,000 rows is a 413 saying the bound", async () => {
    const rows = Array.from({ length: 50_001 }, (_, i) => [`p${i}@example.com`, "A", "B"]);
    const res = await send({ mergeArray: [["to", "firstname", "lastname"], ...rows] });
    expect(res.status).toBe(413);
    expect((await json(res)).detail).toMatch(/50001 rows; .*at most 50000 rows/);
  });

  it("more than 100,000 recipients in all is a 413 saying the bound", async () => {
    const cell = Array.from({ length: 3 }, (_, j) => `r${j}@example.com`).join(",");
    const rows = Array.from({ length: 33_334 }, (_, i) => [cell.replaceAll("@", `${i}@`), "A", "B"]);
    const res = await send({ mergeArray: [["to", "firstname", "lastname"], ...rows] });
    expect(res.status).toBe(413);
    expect((await json(res)).detail).toMatch(/100002 recipients; .*at most 100000 recipients/);
  });

  it("event types and overrides do not take mergeArray", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: { code: "merge-stored", name: "x", email: { recipients: { mergeArray: example41.recipients.mergeArray }, content: example41.content } },
    });
    expect(res.status).toBe(400);
  });

  it("needs the send permission", async () => {
    const created = await json(await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: "reader", type: "test", permissions: ["read"] } }));
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: example41, key: created.key });
    expect(res.status).toBe(403);
  });
});
