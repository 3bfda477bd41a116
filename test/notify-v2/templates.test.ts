import { beforeAll, describe, expect, it } from "vitest";
import { call, json, notifyToken } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { notifyAjv } from "./notify-schemas";
import { getAllTemplateResponse, getTemplateByIdResponse, postTemplatePreviewResponse } from "./notify-template-schemas";

const ajv = notifyAjv();
const validTemplate = ajv.compile(getTemplateByIdResponse);
const validList = ajv.compile(getAllTemplateResponse);
const validPreview = ajv.compile(postTemplatePreviewResponse);

function expectValid(validate: ReturnType<typeof ajv.compile>, body: unknown): void {
  const ok = validate(body);
  expect(ok ? [] : validate.errors).toEqual([]);
}

/** Notify's time format: `%Y-%m-%dT%H:%M:%S.%fZ`, six fractional digits. */
const NOTIFY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const PREFIXES = ["/v2", "/gcnotify/v2"] as const;

/** A Notify client's request: the key as a JWT bearer token, as the official clients send it. */
async function notify(tenant: TestTenant, method: string, path: string, body?: unknown): Promise<Response> {
  return call(method, path, { headers: { authorization: `Bearer ${await notifyToken(tenant.keys.live)}` }, ...(body !== undefined ? { body } : {}) });
}

async function createTemplate(tenant: TestTenant, input: Record<string, unknown>): Promise<{ id: string; createdAt: string }> {
  const res = await asTenant(tenant, "POST", "/api/v1/templates", { body: input });
  if (res.status !== 201) throw new Error(`template create failed: ${res.status} ${await res.text()}`);
  return json(res);
}

const notifyError = (status: number, error: string, message: string) => ({ status_code: status, errors: [{ error, message }] });

describe("the transcribed Notify schemas", () => {
  it("reject what Notify's would (so the checks below can fail)", () => {
    const good = { id: crypto.randomUUID(), type: "sms", created_at: "2026-01-02T03:04:05.678000Z", updated_at: null, created_by: "x", version: 1, body: "b", name: "n" };
    expect(validTemplate(good)).toBe(true);
    expect(validTemplate({ ...good, created_by: null })).toBe(false);
    expect(validTemplate({ ...good, type: "msgApp" })).toBe(false);
    expect(validTemplate({ ...good, version: "1" })).toBe(false);
    expect(validTemplate({ ...good, created_at: "yesterday" })).toBe(false);
    expect(validTemplate({ ...good, postage: "fourth" })).toBe(false);
    expect(validList({ templates: [{ ...good, name: undefined }] })).toBe(false);
    expect(validPreview({ id: good.id, type: "sms", version: 1, body: "b", html: null, extra: 1 })).toBe(false);
  });
});

describe("Notify v2 templates", () => {
  let tenant: TestTenant;
  let other: TestTenant;
  let email: { id: string; createdAt: string };
  let sms: { id: string; createdAt: string };
  let chat: { id: string };
  let plain: { id: string };

  beforeAll(async () => {
    tenant = await createTestTenant();
    other = await createTestTenant();
    email = await createTemplate(tenant, {
      name: "Welcome email",
      channel: "email",
      renderer: "gc",
      bodyType: "markdown",
      subject: "Hello ((first name))",
      body: "# Welcome\r\n\r\nDear ((first name)), your code is ((code)).",
    });
    sms = await createTemplate(tenant, { name: "Code SMS", channel: "sms", renderer: "gc", body: "Your code is ((code))((urgent?? - use it now))" });
    chat = await createTemplate(tenant, { name: "A chat", channel: "msgApp", body: "Hi {{name}}" });
    plain = await createTemplate(tenant, { name: "Plain email", channel: "email", subject: "Plain", body: "No placeholders here" });
  });

  it("GET /v2/template/{id}: an email template in Notify's exact shape, valid for its schema", async () => {
    for (const prefix of PREFIXES) {
      const res = await notify(tenant, "GET", `${prefix}/template/${email.id}`);
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toEqual({
        id: email.id,
        type: "email",
        created_at: email.createdAt.replace(/Z$/, "000Z"),
        updated_at: null,
        created_by: tenant.name,
        version: 1,
        body: "# Welcome\r\n\r\nDear ((first name)), your code is ((code)).",
        subject: "Hello ((first name))",
        name: "Welcome email",
        personalisation: { "first name": { required: true }, code: { required: true } },
        postage: null,
        letter_contact_block: null,
      });
      expect(body.created_at).toMatch(NOTIFY_TIME);
      expectValid(validTemplate, body);
    }
  });

  it("GET /v2/template/{id}: an SMS template has a null subject and its conditional placeholder listed", async () => {
    const body = await json(await notify(tenant, "GET", `/v2/template/${sms.id}`));
    expect(body).toMatchObject({ type: "sms", subject: null, body: "Your code is ((code))((urgent?? - use it now))", personalisation: { code: { required: true }, urgent: { required: true } } });
    expect(Object.keys(body)).toEqual(["id", "type", "created_at", "updated_at", "created_by", "version", "body", "subject", "name", "personalisation", "postage", "letter_contact_block"]);
    expectValid(validTemplate, body);
  });

  it("versions: a renamed template's old version keeps its old name; updated_at is the version's time", async () => {
    const t = await createTemplate(tenant, { name: "Before", channel: "sms", body: "Hi {{who}}" });
    const renamed = await json(await asTenant(tenant, "PATCH", `/api/v1/templates/${t.id}`, { body: { name: "After" } }));
    expect(renamed.version).toBe(2);
    await asTenant(tenant, "PATCH", `/api/v1/templates/${t.id}`, { body: { body: "Hello {{who}}" } });
    for (const prefix of PREFIXES) {
      const current = await json(await notify(tenant, "GET", `${prefix}/template/${t.id}`));
      expect(current).toMatchObject({ version: 3, name: "After", body: "Hello {{who}}", personalisation: { who: { required: true } } });
      expect(current.updated_at).toMatch(NOTIFY_TIME);
      const v1 = await json(await notify(tenant, "GET", `${prefix}/template/${t.id}/version/1`));
      expect(v1).toMatchObject({ id: t.id, version: 1, name: "Before", body: "Hi {{who}}", updated_at: null, created_at: current.created_at });
      const v2 = await json(await notify(tenant, "GET", `${prefix}/template/${t.id}/version/2`));
      expect(v2).toMatchObject({ version: 2, name: "After", body: "Hi {{who}}" });
      expect(v2.updated_at).toMatch(NOTIFY_TIME);
      expect(v2.updated_at <= current.updated_at).toBe(true);
      for (const body of [current, v1, v2]) expectValid(validTemplate, body);
      const v4 = await notify(tenant, "GET", `${prefix}/template/${t.id}/version/4`);
      expect(v4.status).toBe(404);
      expect(await json(v4)).toEqual(notifyError(404, "NoResultFound", "No result found"));
    }
  });

  it("refuses a bad version or id with Notify's ValidationError wording", async () => {
    for (const prefix of PREFIXES) {
      const cases: [string, string[]][] = [
        [`/template/${email.id}/version/0`, ["version 0 is less than the minimum of 1"]],
        [`/template/${email.id}/version/abc`, ["version abc is not of type integer, null"]],
        [`/template/${email.id}/version/1.5`, ["version 1.5 is not of type integer, null"]],
        [`/template/not-a-uuid`, ["id is not a valid UUID"]],
        [`/template/not-a-uuid/version/0`, ["id is not a valid UUID", "version 0 is less than the minimum of 1"]],
      ];
      for (const [path, messages] of cases) {
        const res = await notify(tenant, "GET", `${prefix}${path}`);
        expect(res.status, path).toBe(400);
        const body = await json(res);
        expect(body.status_code).toBe(400);
        expect(body.errors.map((e: { message: string }) => e.message).sort()).toEqual([...messages].sort());
        expect(body.errors.every((e: { error: string }) => e.error === "ValidationError")).toBe(true);
      }
    }
  });

  it("msgApp templates are not Notify types: 404 by id, left out of listings; deleted templates are 404", async () => {
    const gone = await createTemplate(tenant, { name: "Gone soon", channel: "sms", body: "x" });
    expect((await asTenant(tenant, "DELETE", `/api/v1/templates/${gone.id}`)).status).toBe(204);
    for (const id of [chat.id, gone.id]) {
      for (const [method, path] of [["GET", `/v2/template/${id}`], ["GET", `/v2/template/${id}/version/1`], ["POST", `/v2/template/${id}/preview`]] as const) {
        const res = await notify(tenant, method, path, method === "POST" ? {} : undefined);
        expect(res.status, path).toBe(404);
        expect(await json(res)).toEqual(notifyError(404, "NoResultFound", "No result found"));
      }
    }
    const all = await json(await notify(tenant, "GET", "/v2/templates"));
    expect(all.templates.map((t: { id: string }) => t.id)).not.toContain(chat.id);
    expect(all.templates.map((t: { id: string }) => t.id)).not.toContain(gone.id);
  });

  it("GET /v2/templates: every email and SMS template by name, filtered by type; letter lists none", async () => {
    const lister = await createTestTenant();
    await createTemplate(lister, { name: "b sms", channel: "sms", body: "B" });
    await createTemplate(lister, { name: "a email", channel: "email", subject: "S", body: "A ((x))", renderer: "gc" });
    await createTemplate(lister, { name: "c sms", channel: "sms", body: "C" });
    await createTemplate(lister, { name: "0 chat", channel: "msgApp", body: "chat" });
    for (const prefix of PREFIXES) {
      const all = await notify(lister, "GET", `${prefix}/templates`);
      expect(all.status).toBe(200);
      expect(all.headers.get("content-type")).toMatch(/^application\/json/);
      const body = await json(all);
      expectValid(validList, body);
      expect(body.templates.map((t: { name: string }) => t.name)).toEqual(["a email", "b sms", "c sms"]);
      expect(body.templates[0]).toMatchObject({ type: "email", subject: "S", body: "A ((x))", personalisation: { x: { required: true } }, version: 1, created_by: lister.name });
      const smsOnly = await json(await notify(lister, "GET", `${prefix}/templates?type=sms`));
      expect(smsOnly.templates.map((t: { name: string }) => t.name)).toEqual(["b sms", "c sms"]);
      const emailOnly = await json(await notify(lister, "GET", `${prefix}/templates?type=email`));
      expect(emailOnly.templates.map((t: { name: string }) => t.name)).toEqual(["a email"]);
      const letters = await notify(lister, "GET", `${prefix}/templates?type=letter`);
      expect(letters.status).toBe(200);
      expect(await json(letters)).toEqual({ templates: [] });
    }
    const none = await json(await notify(other, "GET", "/v2/templates"));
    expect(none).toEqual({ templates: [] });
  });

  it("GET /v2/templates: a list longer than one read page comes whole and in order", async () => {
    const many = await createTestTenant();
    const names = Array.from({ length: 57 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((name) => createTemplate(many, { name, channel: "sms", body: `Body ${name}` })));
    }
    const body = await json(await notify(many, "GET", "/v2/templates"));
    expect(body.templates.map((t: { name: string }) => t.name)).toEqual(names);
    expect(body.templates.map((t: { body: string }) => t.body)).toEqual(names.map((n) => `Body ${n}`));
    expectValid(validList, body);
  });

  it("GET /v2/templates refuses other query keys and unknown types as Notify does", async () => {
    for (const prefix of PREFIXES) {
      const foo = await notify(tenant, "GET", `${prefix}/templates?foo=1`);
      expect(foo.status).toBe(400);
      expect(await json(foo)).toEqual(notifyError(400, "ValidationError", "Additional properties are not allowed (foo was unexpected)"));
      const bad = await notify(tenant, "GET", `${prefix}/templates?type=fax`);
      expect(bad.status).toBe(400);
      expect(await json(bad)).toEqual(notifyError(400, "ValidationError", "type fax is not one of [sms, email, letter]"));
      const msgApp = await notify(tenant, "GET", `${prefix}/templates?type=msgApp`);
      expect(await json(msgApp)).toEqual(notifyError(400, "ValidationError", "type msgApp is not one of [sms, email, letter]"));
    }
  });

  it("POST /v2/template/{id}/preview: email body filled in, html the HTML part a send carries", async () => {
    for (const prefix of PREFIXES) {
      const res = await notify(tenant, "POST", `${prefix}/template/${email.id}/preview`, { personalisation: { first_name: "Ann <b>", code: "1234" } });
      expect(res.status).toBe(200);
      const body = await json(res);
      expectValid(validPreview, body);
      expect(Object.keys(body).sort()).toEqual(["body", "html", "id", "postage", "subject", "type", "version"]);
      expect(body).toMatchObject({ id: email.id, type: "email", version: 1, subject: "Hello Ann <b>", postage: null });
      expect(body.body).toBe("# Welcome\r\n\r\nDear Ann <b>, your code is 1234.");
      expect(body.html).toContain("Welcome</h");
      expect(body.html).toContain("Dear Ann &lt;b&gt;, your code is 1234.");
      expect(body.html).not.toContain("<b>");
      expect(body.html).not.toMatch(/<html|<body/i);
    }
  });

  it("POST /v2/template/{id}/preview: SMS has no html or subject; a plain-text email has no html", async () => {
    const res = await notify(tenant, "POST", `/v2/template/${sms.id}/preview`, { personalisation: { code: "42", urgent: "yes" }, extra: "ignored" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({ id: sms.id, type: "sms", version: 1, body: "Your code is 42 - use it now", html: null, subject: null, postage: null });
    expectValid(validPreview, body);
    // No body at all: Notify allows it for a template without placeholders.
    const bare = await call("POST", `/v2/template/${plain.id}/preview`, { headers: { authorization: `Bearer ${await notifyToken(tenant.keys.live)}` } });
    expect(bare.status).toBe(200);
    const plainBody = await json(bare);
    expect(plainBody).toEqual({ id: plain.id, type: "email", version: 1, body: "No placeholders here", html: null, subject: "Plain", postage: null });
    expectValid(validPreview, plainBody);
  });

  it("POST /v2/template/{id}/preview: missing personalisation is Notify's BadRequestError naming each", async () => {
    for (const prefix of PREFIXES) {
      const none = await notify(tenant, "POST", `${prefix}/template/${email.id}/preview`, {});
      expect(none.status).toBe(400);
      expect(await json(none)).toEqual(notifyError(400, "BadRequestError", "Missing personalisation: first name, code"));
      const some = await notify(tenant, "POST", `${prefix}/template/${email.id}/preview`, { personalisation: { code: "1" } });
      expect(await json(some)).toEqual(notifyError(400, "BadRequestError", "Missing personalisation: first name"));
      const notObject = await notify(tenant, "POST", `${prefix}/template/${email.id}/preview`, { personalisation: ["a", "b"] });
      expect(notObject.status).toBe(400);
      expect((await json(notObject)).errors[0]).toMatchObject({ error: "ValidationError", message: expect.stringMatching(/^personalisation .* is not of type object$/) });
    }
  });

  it("another tenant's templates are 404 NoResultFound everywhere", async () => {
    for (const prefix of PREFIXES) {
      for (const [method, path] of [
        ["GET", `${prefix}/template/${email.id}`],
        ["GET", `${prefix}/template/${email.id}/version/1`],
        ["POST", `${prefix}/template/${email.id}/preview`],
      ] as const) {
        const res = await notify(other, method, path, method === "POST" ? { personalisation: { first_name: "x", code: "y" } } : undefined);
        expect(res.status, path).toBe(404);
        expect(await json(res)).toEqual(notifyError(404, "NoResultFound", "No result found"));
      }
    }
  });

  it("answers without credentials in Notify's AuthError shape", async () => {
    const res = await call("GET", `/v2/template/${email.id}`);
    expect(res.status).toBe(401);
    const body = await json(res);
    expect(body).toMatchObject({ status_code: 401, errors: [{ error: "AuthError" }] });
  });
});
