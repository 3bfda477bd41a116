import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/crypto/encoding";
import { call, json, notifyToken } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { settleQueues } from "../helpers/queues";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { postEmailResponse, postSmsResponse, schemaErrors } from "./notify-schemas";

// msw errors on any unmocked request and records every mocked one.
const mocks = createProviderMocks();
let tenant: TestTenant;
let smsTemplate: string;
let emailTemplate: string;

const template = async (t: TestTenant, body: object) => (await json(await asTenant(t, "POST", "/api/v1/templates", { body }))).id as string;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Notify v2 hardening");
  smsTemplate = await template(tenant, { name: "h sms", channel: "sms", body: "Hello ((name))", renderer: "gc" });
  emailTemplate = await template(tenant, { name: "h email", channel: "email", subject: "Hi ((name))", body: "Dear ((name)), ((doc))", renderer: "gc" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

async function v2(method: string, path: string, body?: unknown, key = tenant.keys.test, prefix = "/v2") {
  return call(method, `${prefix}${path}`, { ...(body !== undefined ? { body } : {}), headers: { authorization: `Bearer ${await notifyToken(key)}` } });
}

const PDF = new TextEncoder().encode("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");

describe("personalisation is bounded as every send's params", () => {
  it("5,000 keys or 1 MB of personalisation is a 400 ValidationError naming personalisation", async () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, "v"]));
    const manyRes = await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: smsTemplate, personalisation: { name: "x", ...many } });
    expect(manyRes.status).toBe(400);
    expect(await json(manyRes)).toEqual({ status_code: 400, errors: [{ error: "ValidationError", message: "personalisation More than 1000 keys and elements in all; at most 1000 allowed" }] });

    const big = await v2("POST", "/notifications/email", { email_address: "a@example.com", template_id: emailTemplate, personalisation: { name: "x".repeat(1024 * 1024), doc: "d" } });
    expect(big.status).toBe(400);
    expect((await json(big)).errors).toEqual([{ error: "ValidationError", message: expect.stringMatching(/^personalisation \d+ bytes as JSON; at most 262144 allowed$/) }]);

    const deep = await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: smsTemplate, personalisation: { name: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } } });
    expect((await json(deep)).errors[0]).toEqual({ error: "ValidationError", message: "personalisation Nested more than 8 levels deep; at most 8 allowed" });

    const longKey = await json(await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: smsTemplate, personalisation: { name: "x", ["k".repeat(257)]: "v" } }));
    expect(longKey.status_code).toBe(400);
    expect(longKey.errors).toEqual([{ error: "ValidationError", message: `personalisation key ${"k".repeat(200)}… is too long` }]);
  });

  it("the preview's personalisation too", async () => {
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, "v"]));
    const res = await v2("POST", `/template/${smsTemplate}/preview`, { personalisation: { name: "x", ...many } });
    expect(await json(res)).toEqual({ status_code: 400, errors: [{ error: "ValidationError", message: "personalisation More than 1000 keys and elements in all; at most 1000 allowed" }] });
    expect((await v2("POST", `/template/${smsTemplate}/preview`, { personalisation: { name: "x" } })).status).toBe(200);
  });

  it("a file of up to 2 MB still goes", async () => {
    const file = new Uint8Array(2 * 1024 * 1024);
    file.set(PDF);
    const res = await v2("POST", "/notifications/email", { email_address: "files@example.com", template_id: emailTemplate, personalisation: { name: "F", doc: { file: toBase64(file), filename: "big.pdf" } } });
    expect(res.status, JSON.stringify(await json(res.clone()))).toBe(201);
    expect((await json(res)).content.body).toMatch(/http:\/\/notify\.test\/f\/[0-9a-f-]{36}\?key=/);
  });

  it("sanitise_content_for: at most 1,000 names of at most 256 characters", async () => {
    const send = (names: string[]) => v2("POST", "/notifications/email", { email_address: "a@example.com", template_id: emailTemplate, personalisation: { name: "x", doc: "d" }, sanitise_content_for: names });
    const tooMany = await json(await send(Array.from({ length: 1001 }, (_, i) => `k${i}`)));
    expect(tooMany.errors).toEqual([{ error: "ValidationError", message: expect.stringMatching(/^sanitise_content_for \["k0","k1",.*… is too long$/) }]);
    // The refused list is not echoed back whole.
    expect(tooMany.errors[0].message.length).toBeLessThan(300);
    const tooLong = await json(await send(["k".repeat(257)]));
    expect(tooLong.errors).toEqual([{ error: "ValidationError", message: `sanitise_content_for ${"k".repeat(257)} is too long` }]);
    expect((await send(Array.from({ length: 1000 }, (_, i) => `k${i}`))).status).toBe(201);
  });
});

describe("file errors in Notify's words", () => {
  it("a file on SMS is Notify's BadRequestError, other file faults name personalisation", async () => {
    const sms = await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: smsTemplate, personalisation: { name: { file: toBase64(PDF), filename: "a.pdf" } } });
    expect(await json(sms)).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: "Can only send a file by email" }] });

    const email = (doc: unknown) => v2("POST", "/notifications/email", { email_address: "a@example.com", template_id: emailTemplate, personalisation: { name: "x", doc } });
    const notBase64 = await json(await email({ file: "not base64!", filename: "a.pdf" }));
    expect(notBase64).toEqual({ status_code: 400, errors: [{ error: "ValidationError", message: "personalisation.doc.file Not valid base64" }] });
    const type = await json(await email({ file: toBase64(PDF), filename: "a.zip" }));
    expect(type).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: expect.stringMatching(/^Unsupported file type 'zip'\. Supported types are: /) }] });
    const retention = await json(await email({ file: toBase64(PDF), retention_period: "79 weeks" }));
    expect(retention).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: "Unsupported value for retention_period '79 weeks'. Supported periods are from 1 to 78 weeks." }] });
    const unknownKey = await json(await email({ file: toBase64(PDF), sending_method: "link" }));
    expect(unknownKey.errors[0].message).toMatch(/^personalisation\.doc\.sending_method Not a key of a file/);
    expect(JSON.stringify([notBase64, unknownKey])).not.toContain("params.");
  });
});

describe("GC Notify bulk duplicates", () => {
  it("the same job again within the window is the first one, 200 with Idempotent-Replayed", async () => {
    const body = { name: "dup", template_id: smsTemplate, rows: [["phone number", "name"], ["+447700900404", "Ann"]] };
    const bulk = async () => call("POST", "/gcnotify/v2/notifications/bulk", { body, headers: { authorization: `Bearer ${await notifyToken(tenant.keys.test)}` } });
    const first = await bulk();
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await bulk();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(again)).data.id).toBe((await json(first)).data.id);
  });
});

describe("Notify's smoke-test recipients", () => {
  it("with a live key: 201 in the usual shape, nothing stored, nothing sent", async () => {
    const t = await createTestTenant("Notify v2 smoke tests");
    const sms = await template(t, { name: "s", channel: "sms", body: "Hi ((name))", renderer: "gc" });
    const email = await template(t, { name: "e", channel: "email", subject: "Subject ((name))", body: "Dear ((name))", renderer: "gc" });
    const ids: string[] = [];
    for (const phone_number of ["07700900000", "07700 900111", "+447700900222"]) {
      const res = await v2("POST", "/notifications/sms", { phone_number, template_id: sms, personalisation: { name: "Smoke" }, reference: "smoke" }, t.keys.live);
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(schemaErrors(postSmsResponse, body)).toEqual([]);
      expect(body).toMatchObject({ reference: "smoke", content: { body: "Hi Smoke" }, template: { id: sms, version: 1 }, scheduled_for: null });
      ids.push(body.id);
    }
    for (const email_address of ["simulate-delivered@notifications.service.gov.uk", "simulate-delivered-2@notifications.service.gov.uk", "simulate-delivered-3@notifications.service.gov.uk"]) {
      const res = await v2("POST", "/notifications/email", { email_address, template_id: email, personalisation: { name: "Smoke" } }, t.keys.live);
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(schemaErrors(postEmailResponse, body)).toEqual([]);
      expect(body).toMatchObject({ reference: null, content: { subject: "Subject Smoke", body: expect.stringContaining("Dear Smoke") }, sanitised_content: {} });
      expect(body.content.from_email).toMatch(/@/);
      ids.push(body.id);
    }
    // The same send twice is two fresh ids (no duplicate window), and a team key may name them too.
    const team = await json(await v2("POST", "/notifications/sms", { phone_number: "07700900000", template_id: sms, personalisation: { name: "Smoke" }, reference: "smoke" }, t.keys.team));
    ids.push(team.id);
    expect(new Set(ids).size).toBe(ids.length);

    await settleQueues();
    for (const id of ids) expect((await v2("GET", `/notifications/${id}`, undefined, t.keys.live)).status).toBe(404);
    expect((await json(await asTenant(t, "GET", "/api/v1/notify"))).items).toEqual([]);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(t.id).first<{ n: number }>())!.n).toBe(0);
    expect(mocks.captured.twilio).toEqual([]);
    expect(mocks.captured.ses).toEqual([]);

    // They are validated as any send is.
    expect(await json(await v2("POST", "/notifications/sms", { phone_number: "07700900000", template_id: sms }, t.keys.live))).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: "Missing personalisation: name" }] });

    // The control: an ordinary number with the same key is stored and reaches the provider.
    const real = await json(await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: sms, personalisation: { name: "Real" } }, t.keys.live));
    await waitForNotification(t, real.id, (n) => n.status === "delivered");
    expect(mocks.captured.twilio.map((m) => m.body)).toEqual(["Hi Real"]);
  });
});
