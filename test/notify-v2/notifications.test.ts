import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, json, notifyToken } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getNotificationResponse, getNotificationsResponse, postEmailResponse, postSmsResponse, schemaErrors } from "./notify-schemas";

const mocks = createProviderMocks();
let tenant: TestTenant;
let other: TestTenant;
let smsTemplate: string;
let emailTemplate: string;

const NOTIFY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const template = async (t: TestTenant, body: object) => (await json(await asTenant(t, "POST", "/api/v1/templates", { body }))).id as string;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Notify v2");
  other = await createTestTenant("Notify v2 other");
  smsTemplate = await template(tenant, { name: "v2 sms", channel: "sms", body: "Hello ((name)),\r\nsee you", renderer: "gc" });
  emailTemplate = await template(tenant, { name: "v2 email", channel: "email", subject: "Hi ((name))", body: "Dear ((name)),\r\n\r\n((extra))", bodyType: "markdown", renderer: "gc" });
});
afterAll(() => mocks.server.close());

/** A call the way Notify's clients make it: `Authorization: Bearer <JWT>` signed with the key's secret half. */
async function v2(method: string, path: string, body?: unknown, key = tenant.keys.test, prefix = "/v2") {
  return call(method, `${prefix}${path}`, { ...(body !== undefined ? { body } : {}), headers: { authorization: `Bearer ${await notifyToken(key)}` } });
}

const errorOf = (status: number, error: string, message: string) => ({ status_code: status, errors: [{ error, message }] });

describe("the transcribed Notify schemas", () => {
  it("reject what Notify's would (so the checks below can fail)", () => {
    const sms = { id: crypto.randomUUID(), reference: null, content: { body: "b", from_number: "Notify" }, uri: "https://x.test/v2/notifications/1", template: { id: crypto.randomUUID(), version: 1, uri: "https://x.test/t" }, scheduled_for: null };
    expect(schemaErrors(postSmsResponse, sms)).toEqual([]);
    expect(schemaErrors(postSmsResponse, { ...sms, id: "nope", content: { body: "b" } }).map((e) => e.instancePath)).toEqual(["/id", "/content"]);
    expect(schemaErrors(postEmailResponse, { ...sms, content: { body: "b", subject: "s", from_email: "not an address" } }).map((e) => e.instancePath)).toEqual(["/content/from_email"]);
    expect(schemaErrors(getNotificationsResponse, { notifications: [{ id: crypto.randomUUID() }], links: { current: "x", last: "y" } }).length).toBeGreaterThan(1);
    expect(schemaErrors(getNotificationResponse, { ...sms, type: "fax" }).some((e) => e.instancePath === "/type")).toBe(true);
  });
});

describe("POST /v2/notifications/sms and /email", () => {
  it("answers Notify's SMS shape, and the GET every key Notify returns", async () => {
    const res = await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: smsTemplate, personalisation: { name: "Amala" }, reference: "ref-1" });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(schemaErrors(postSmsResponse, body)).toEqual([]);
    expect(Object.keys(body)).toEqual(["id", "reference", "content", "uri", "template", "scheduled_for"]);
    expect(body.reference).toBe("ref-1");
    expect(body.content.body).toBe("Hello Amala,\nsee you");
    expect(body.uri).toBe(`http://notify.test/v2/notifications/${body.id}`);
    expect(body.template).toEqual({ id: smsTemplate, version: 1, uri: `http://notify.test/v2/template/${smsTemplate}/version/1` });
    expect(body.scheduled_for).toBeNull();

    await waitForNotification(tenant, body.id, (n) => n.status === "delivered");
    const got = await v2("GET", `/notifications/${body.id}`);
    expect(got.status).toBe(200);
    const n = await json(got);
    expect(schemaErrors(getNotificationResponse, n)).toEqual([]);
    expect(Object.keys(n)).toEqual([
      "id", "reference", "email_address", "phone_number", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6", "postcode", "type", "status", "template", "body", "subject",
      "created_at", "created_by_name", "sent_at", "completed_at", "scheduled_for", "postage", "one_click_unsubscribe_url", "is_cost_data_ready", "cost_in_pounds", "cost_details",
    ]);
    expect(n).toMatchObject({ id: body.id, reference: "ref-1", email_address: null, phone_number: "+447700900404", line_1: null, postcode: null, type: "sms", status: "delivered", subject: null, body: "Hello Amala,\nsee you", cost_details: {} });
    expect(n.created_at).toMatch(NOTIFY_TIME);
    expect(n.sent_at).toMatch(NOTIFY_TIME);
    expect(n.completed_at).toMatch(NOTIFY_TIME);
    expect(mocks.captured.twilio).toEqual([]);
  });

  it("answers Notify's email shape with sanitised_content and one_click_unsubscribe_url present", async () => {
    const res = await v2("POST", "/notifications/email", { email_address: "amala@example.com", template_id: emailTemplate, personalisation: { name: "Amala", extra: "see [click here](https://evil.link)" }, sanitise_content_for: ["extra", "name"] });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(schemaErrors(postEmailResponse, body)).toEqual([]);
    expect(Object.keys(body)).toEqual(["id", "reference", "content", "uri", "template", "scheduled_for", "sanitised_content"]);
    expect(Object.keys(body.content)).toEqual(["from_email", "body", "subject", "one_click_unsubscribe_url"]);
    expect(body.reference).toBeNull();
    expect(body.content.one_click_unsubscribe_url).toBeNull();
    expect(body.content.subject).toBe("Hi Amala");
    expect(body.content.from_email).toMatch(/@/);
    expect(body.sanitised_content).toEqual({ extra: { unsanitised: "see [click here](https://evil.link)", sanitised: "see \\[click here\\]\\(\\)" } });
    expect(body.content.body).toContain("Dear Amala,\r\n\r\n");

    const plain = await json(await v2("POST", "/notifications/email", { email_address: "amala@example.com", template_id: emailTemplate, personalisation: { name: "B", extra: "x" }, one_click_unsubscribe_url: "https://example.com/unsub" }));
    expect(plain.sanitised_content).toEqual({});
    expect(plain.content.one_click_unsubscribe_url).toBe("https://example.com/unsub");
  });

  it("answers identically at /gcnotify/v2", async () => {
    const res = await v2("POST", "/notifications/sms", { phone_number: "+447700900405", template_id: smsTemplate, personalisation: { name: "GC" } }, tenant.keys.test, "/gcnotify/v2");
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(schemaErrors(postSmsResponse, body)).toEqual([]);
    const got = await v2("GET", `/notifications/${body.id}`, undefined, tenant.keys.test, "/gcnotify/v2");
    expect((await json(got)).id).toBe(body.id);
    expect(await json(await v2("POST", "/notifications/sms", {}, tenant.keys.test, "/gcnotify/v2"))).toEqual(await json(await v2("POST", "/notifications/sms", {})));
  });

  it("honours scheduled_for within 24 hours and refuses it further ahead", async () => {
    const at = new Date(Date.now() + 3_600_000);
    const res = await v2("POST", "/notifications/sms", { phone_number: "+447700900406", template_id: smsTemplate, personalisation: { name: "Later" }, scheduled_for: at.toISOString() });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.scheduled_for).toMatch(NOTIFY_TIME);
    expect((await json(await v2("GET", `/notifications/${body.id}`))).status).toBe("created");
    const far = await v2("POST", "/notifications/sms", { phone_number: "+447700900406", template_id: smsTemplate, personalisation: { name: "x" }, scheduled_for: new Date(Date.now() + 2 * 86_400_000).toISOString() });
    expect(await json(far)).toEqual(errorOf(400, "ValidationError", "scheduled_for datetime can only be 24 hours in the future"));
  });

  it("sends one_click_unsubscribe_url as the email's List-Unsubscribe, instead of our own link, and the GET shows it", async () => {
    // A tenant whose emails otherwise carry our own signed link.
    const t = await createTestTenant("Notify v2 unsubscribe");
    expect((await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { unsubscribe: { enabled: true } } } })).status).toBe(200);
    const email = await template(t, { name: "u", channel: "email", subject: "Hi ((name))", body: "Dear ((name))", renderer: "gc" });
    const url = "https://example.com/unsubscribe?user=42&list=news";
    const sendTo = async (to: string, extra: object) => {
      const before = mocks.captured.ses.length;
      const res = await v2("POST", "/notifications/email", { email_address: to, template_id: email, personalisation: { name: "U" }, ...extra }, t.keys.live);
      expect(res.status).toBe(201);
      const { id } = await json(res);
      await waitForNotification(t, id, (n) => n.status === "delivered");
      const sent = mocks.captured.ses.slice(before).find((s) => s.destination.ToAddresses?.includes(to))!;
      return { id, sent };
    };

    const given = await sendTo("given@example.com", { one_click_unsubscribe_url: url });
    expect(given.sent.raw).toContain(`\r\nList-Unsubscribe: <${url}>\r\n`);
    expect(given.sent.raw).toContain("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    expect(given.sent.mime.headers.filter((h) => h.key === "list-unsubscribe").map((h) => h.value)).toEqual([`<${url}>`]);
    const got = await json(await v2("GET", `/notifications/${given.id}`, undefined, t.keys.live));
    expect(got.one_click_unsubscribe_url).toBe(url);
    expect(schemaErrors(getNotificationResponse, got)).toEqual([]);

    // Without one, the tenant's own setting applies: our signed link.
    const ours = await sendTo("ours@example.com", {});
    expect(ours.sent.mime.headers.find((h) => h.key === "list-unsubscribe")!.value).toMatch(/^<http:\/\/notify\.test\/u\/[\w.-]+>$/);
    expect((await json(await v2("GET", `/notifications/${ours.id}`, undefined, t.keys.live))).one_click_unsubscribe_url).toMatch(/^http:\/\/notify\.test\/u\//);

    // A URL that could not be one header line is refused, not dropped on the way.
    for (const bad of ["https://example.com/a b", "https://example.com/<x>", "https://example.com/a\r\nBcc: x@evil.example", `https://example.com/${"a".repeat(900)}`, "https//example.com"]) {
      expect(await json(await v2("POST", "/notifications/email", { email_address: "a@example.com", template_id: email, personalisation: { name: "U" }, one_click_unsubscribe_url: bad }, t.keys.live)), bad).toEqual(
        errorOf(400, "ValidationError", "one_click_unsubscribe_url is not a valid https url"),
      );
    }
  });
});

describe("errors in Notify's shape", () => {
  it("lists every schema failure as a ValidationError", async () => {
    const res = await v2("POST", "/notifications/sms", { phone_number: "+447700900404", foo: 1 });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      status_code: 400,
      errors: [
        { error: "ValidationError", message: "template_id is a required property" },
        { error: "ValidationError", message: "Additional properties are not allowed (foo was unexpected)" },
      ],
    });
    expect(await json(await v2("POST", "/notifications/email", { email_address: "a@b.com", template_id: "nope", reference: "x".repeat(1001), personalisation: "foo", one_click_unsubscribe_url: "http://x" }))).toEqual({
      status_code: 400,
      errors: [
        { error: "ValidationError", message: "template_id is not a valid UUID" },
        { error: "ValidationError", message: "personalisation foo is not of type object" },
        { error: "ValidationError", message: `reference ${"x".repeat(1001)} is too long` },
        { error: "ValidationError", message: "one_click_unsubscribe_url is not a valid https url" },
      ],
    });
  });

  it("answers invalid JSON, auth failures, unknown ids and letters as Notify does", async () => {
    const bad = await call("POST", "/v2/notifications/sms", { rawBody: "{not json", headers: { "content-type": "application/json", authorization: `Bearer ${await notifyToken(tenant.keys.test)}` } });
    expect(await json(bad)).toEqual(errorOf(400, "BadRequestError", "Invalid JSON supplied in POST data"));
    const none = await call("GET", "/v2/notifications");
    expect(none.status).toBe(401);
    expect(await json(none)).toEqual(errorOf(401, "AuthError", "Unauthorized: authentication token must be provided"));
    const stale = await call("GET", "/v2/notifications", { headers: { authorization: `Bearer ${await notifyToken(tenant.keys.test, { iat: Math.round(Date.now() / 1000) - 120 })}` } });
    expect(await json(stale)).toEqual(errorOf(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"));
    const wrongKey = tenant.keys.test.slice(0, -36) + crypto.randomUUID();
    expect(await json(await call("GET", "/v2/notifications", { headers: { authorization: `Bearer ${await notifyToken(wrongKey)}` } }))).toEqual(errorOf(403, "AuthError", "Invalid token: API key not found"));

    expect(await json(await v2("GET", "/notifications/not-a-uuid"))).toEqual(errorOf(400, "ValidationError", "notification_id is not a valid UUID"));
    const mine = (await json(await v2("POST", "/notifications/sms", { phone_number: "+447700900404", template_id: smsTemplate, personalisation: { name: "x" } }))).id;
    const theirs = await v2("GET", `/notifications/${mine}`, undefined, other.keys.test);
    expect(theirs.status).toBe(404);
    expect(await json(theirs)).toEqual(errorOf(404, "NoResultFound", "No result found"));

    const letter = await v2("POST", "/notifications/letter", { template_id: smsTemplate, personalisation: { address_line_1: "a" } });
    expect(letter.status).toBe(400);
    expect((await json(letter)).errors[0].error).toBe("BadRequestError");
    expect((await json(await v2("POST", "/notifications/letter", {}))).errors[0].message).toMatch(/Letters are not supported/);
  });

  it("answers Notify's send-time refusals as BadRequestError", async () => {
    const cases: [string, object, string][] = [
      ["sms", { phone_number: "+447700900404", template_id: crypto.randomUUID() }, "Template not found"],
      ["email", { email_address: "a@example.com", template_id: smsTemplate, personalisation: { name: "x" } }, "sms template is not suitable for email notification"],
      ["sms", { phone_number: "+447700900404", template_id: smsTemplate }, "Missing personalisation: name"],
      ["email", { email_address: "a@example.com", template_id: emailTemplate }, "Missing personalisation: name, extra"],
    ];
    for (const [type, body, message] of cases) {
      expect(await json(await v2("POST", `/notifications/${type}`, body)), message).toEqual(errorOf(400, "BadRequestError", message));
    }
    const team = await v2("POST", "/notifications/sms", { phone_number: "+447700900999", template_id: smsTemplate, personalisation: { name: "x" } }, tenant.keys.team);
    expect(await json(team)).toEqual(errorOf(400, "BadRequestError", "Can’t send to this recipient using a team-only API key"));
    const badPhone = await json(await v2("POST", "/notifications/sms", { phone_number: "not a number", template_id: smsTemplate, personalisation: { name: "x" } }));
    expect(badPhone.errors[0]).toMatchObject({ error: "ValidationError", message: expect.stringMatching(/^phone_number /) });
    expect(await json(await v2("POST", "/notifications/email", { email_address: "nobody", template_id: emailTemplate, personalisation: { name: "x", extra: "y" } }))).toEqual(
      errorOf(400, "ValidationError", "email_address Not a valid email address"),
    );
  });
});

describe("GET /v2/notifications", () => {
  it("lists the calling key type's notifications newest first, filters, and pages with older_than and links", async () => {
    const t = await createTestTenant("Notify v2 list");
    const sms = await template(t, { name: "s", channel: "sms", body: "Hi ((n))", renderer: "gc" });
    const send = async (key: string, n: number, reference?: string) =>
      (await json(await call("POST", "/v2/notifications/sms", { body: { phone_number: "+447700900404", template_id: sms, personalisation: { n: String(n) }, ...(reference ? { reference } : {}) }, headers: { authorization: `Bearer ${await notifyToken(key)}` } }))).id as string;
    const testIds = [await send(t.keys.test, 1, "r1"), await send(t.keys.test, 2), await send(t.keys.test, 3, "r1")];
    const liveId = await send(t.keys.live, 4);
    const list = async (key: string, query = "") => call("GET", `/v2/notifications${query}`, { headers: { authorization: `Bearer ${await notifyToken(key)}` } });

    const page = await json(await list(t.keys.test));
    expect(page.notifications.map((n: { id: string }) => n.id)).toEqual([...testIds].reverse());
    expect(schemaErrors(getNotificationsResponse, page)).toEqual([]);
    expect(page.links.current).toBe("http://notify.test/v2/notifications");
    expect(page.links.next).toBe(`http://notify.test/v2/notifications?older_than=${testIds[0]}`);
    expect((await json(await list(t.keys.live))).notifications.map((n: { id: string }) => n.id)).toEqual([liveId]);

    const older = await json(await list(t.keys.test, `?older_than=${testIds[2]}`));
    expect(older.notifications.map((n: { id: string }) => n.id)).toEqual([testIds[1], testIds[0]]);
    const last = await json(await list(t.keys.test, `?older_than=${testIds[0]}`));
    expect(schemaErrors(getNotificationsResponse, last)).toEqual([]);
    expect(last).toEqual({ notifications: [], links: { current: `http://notify.test/v2/notifications?older_than=${testIds[0]}` } });
    expect((await json(await list(t.keys.test, `?older_than=${crypto.randomUUID()}`))).notifications).toEqual([]);

    expect((await json(await list(t.keys.test, "?reference=r1"))).notifications.map((n: { id: string }) => n.id)).toEqual([testIds[2], testIds[0]]);
    expect((await json(await list(t.keys.test, "?template_type=email"))).notifications).toEqual([]);
    expect((await json(await list(t.keys.test, "?template_type=sms&template_type=email"))).notifications).toHaveLength(3);
    for (const id of testIds) await waitForNotification(t, id, (n) => n.status === "delivered");
    expect((await json(await list(t.keys.test, "?status=delivered&status=failed"))).notifications).toHaveLength(3);
    expect((await json(await list(t.keys.test, "?status=failed"))).notifications).toEqual([]);
    expect(await json(await list(t.keys.test, "?status=elephant"))).toEqual(errorOf(400, "ValidationError", expect.stringMatching(/^status elephant is not one of \[cancelled, created, /) as unknown as string));
    expect(await json(await list(t.keys.test, "?foo=1"))).toEqual(errorOf(400, "ValidationError", "Additional properties are not allowed (foo was unexpected)"));
  });
});
