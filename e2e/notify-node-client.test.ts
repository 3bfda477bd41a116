import { NotifyClient } from "notifications-node-client";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { getInboundSmsResponse, getNotificationResponse, getNotificationsResponse, postEmailResponse, postSmsResponse, schemaErrors } from "../test/notify-v2/notify-schemas";
import { getAllTemplateResponse, getTemplateByIdResponse, postTemplatePreviewResponse } from "../test/notify-v2/notify-template-schemas";

// GOV.UK Notify's official Node client (a dev dependency, unchanged) against `npm start`: a team
// coming from Notify changes only the base URL. Every method but the letter ones is driven here,
// and every v2 answer is checked against Notify's published JSON schemas as well as for its values.

const service = inject("service");

/** Notify's time format: `%Y-%m-%dT%H:%M:%S.%fZ`. */
const NOTIFY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

async function api(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${service.baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "x-api-key": init.key ?? service.liveKey, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fictional UK mobile (Ofcom's drama range) unique to this run, so other e2e files' traffic never matches. */
const dramaMobile = () => `+447700900${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`;

async function createTemplate(body: Record<string, unknown>): Promise<{ id: string; createdAt: string }> {
  const res = await api("/api/v1/templates", { body: { renderer: "gc", ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe("npm start: GOV.UK Notify's notifications-node-client drives the v2 API unchanged", () => {
  const marker = crypto.randomUUID().slice(0, 8);
  const client = () => new NotifyClient(service.baseUrl, service.liveKey);
  let emailTemplate: string;
  let smsTemplate: string;
  let fileTemplate: string;
  let replyTo: { id: string; email: string };
  let smsSender: { id: string; sender: string };

  beforeAll(async () => {
    emailTemplate = (await createTemplate({ name: `Client email ${marker}`, channel: "email", subject: "Hello ((name))", body: "Dear ((name)),\r\n\r\nYour code is ((code)).", bodyType: "markdown" })).id;
    smsTemplate = (await createTemplate({ name: `Client sms ${marker}`, channel: "sms", body: "Hi ((name)), code ((code))" })).id;
    fileTemplate = (await createTemplate({ name: `Client file ${marker}`, channel: "email", subject: "Your file", body: "Download it: ((link_to_file))", bodyType: "markdown" })).id;
    const reply = await api("/api/v1/tenant/reply-to-addresses", { body: { email: `replies-${marker}@example.com` } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    replyTo = reply.body;
    // Inbound numbers are the operator's to assign (a tenant key's `inbound: true` is a 422).
    const assigned = await fetch(`${service.baseUrl}/api/v1/tenants/${service.tenantId}/inbound-numbers`, {
      method: "POST",
      headers: { authorization: `Bearer ${service.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ number: dramaMobile() }),
    });
    const sender = { status: assigned.status, body: await assigned.json() };
    expect(sender.status, JSON.stringify(sender.body)).toBe(201);
    smsSender = sender.body as typeof smsSender;
  });

  it("sendEmail with personalisation, reference, emailReplyToId and oneClickUnsubscribeURL; getNotificationById follows it to delivered", async () => {
    const to = `client-${marker}@example.com`;
    const unsubscribe = `https://example.com/unsubscribe/${marker}`;
    const { data, status } = await client().sendEmail(emailTemplate, to, {
      personalisation: { name: "Amala", code: "4821" },
      reference: `email-${marker}`,
      emailReplyToId: replyTo.id,
      oneClickUnsubscribeURL: unsubscribe,
    });
    expect(status).toBe(201);
    expect(schemaErrors(postEmailResponse, data)).toEqual([]);
    expect(data).toMatchObject({
      reference: `email-${marker}`,
      content: { subject: "Hello Amala", one_click_unsubscribe_url: unsubscribe },
      uri: `${service.baseUrl}/v2/notifications/${data.id}`,
      template: { id: emailTemplate, version: 1, uri: `${service.baseUrl}/v2/template/${emailTemplate}/version/1` },
      scheduled_for: null,
    });
    expect(data.content.body).toBe("Dear Amala,\r\n\r\nYour code is 4821.");
    expect(data.content.from_email).toMatch(/^[^@\s]+@[^@\s]+$/);

    const delivered = await until(async () => {
      const got = await client().getNotificationById(data.id);
      return got.data.status === "delivered" ? got.data : undefined;
    }, "the email to be delivered");
    expect(schemaErrors(getNotificationResponse, delivered)).toEqual([]);
    expect(delivered).toMatchObject({
      id: data.id,
      reference: `email-${marker}`,
      email_address: to,
      phone_number: null,
      type: "email",
      status: "delivered",
      template: { id: emailTemplate, version: 1 },
      subject: "Hello Amala",
      one_click_unsubscribe_url: unsubscribe,
      line_1: null,
      postcode: null,
    });
    expect(delivered.body).toContain("Your code is 4821.");
    for (const key of ["created_at", "sent_at", "completed_at"] as const) expect(delivered[key]).toMatch(NOTIFY_TIME);

    // The email the provider got: the reply-to address, and Notify's one-click header pair with the given URL.
    const inbox = await until(async () => {
      const { body } = await api("/dev/inbox.json?limit=50");
      return (body.items as any[]).find((m) => m.channel === "email" && m.to.includes(to));
    }, "the email in the dev sink");
    expect(inbox.replyTo).toEqual([replyTo.email]);
    expect(inbox.subject).toBe("Hello Amala");
    expect(inbox.headers["list-unsubscribe"]).toBe(`<${unsubscribe}>`);
    expect(inbox.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
  });

  it("sendSms with smsSenderId answers the sender as from_number", async () => {
    const { data, status } = await client().sendSms(smsTemplate, "+447700900123", { personalisation: { name: "Bo", code: "77" }, reference: `sms-${marker}`, smsSenderId: smsSender.id });
    expect(status).toBe(201);
    expect(schemaErrors(postSmsResponse, data)).toEqual([]);
    expect(data).toMatchObject({ reference: `sms-${marker}`, content: { body: "Hi Bo, code 77", from_number: smsSender.sender }, template: { id: smsTemplate, version: 1 }, scheduled_for: null });
    const got = await until(async () => {
      const n = (await client().getNotificationById(data.id)).data;
      return n.status === "delivered" ? n : undefined;
    }, "the SMS to be delivered");
    expect(schemaErrors(getNotificationResponse, got)).toEqual([]);
    expect(got).toMatchObject({ type: "sms", phone_number: "+447700900123", email_address: null, subject: null, body: "Hi Bo, code 77", one_click_unsubscribe_url: null });
  });

  it("getNotifications filters by templateType, status and reference, and pages with olderThan", async () => {
    const reference = `list-${marker}`;
    const ids: string[] = [];
    for (const code of ["1", "2", "3"]) ids.push((await client().sendSms(smsTemplate, "+447700900124", { personalisation: { name: "L", code }, reference })).data.id);
    for (const id of ids) await until(async () => ((await client().getNotificationById(id)).data.status === "delivered" ? true : undefined), `${id} delivered`);

    const all = (await client().getNotifications("sms", "delivered", reference)).data;
    expect(schemaErrors(getNotificationsResponse, all)).toEqual([]);
    expect(all.notifications.map((n: { id: string }) => n.id)).toEqual([...ids].reverse());
    expect(all.notifications.map((n: { body: string }) => n.body)).toEqual(["Hi L, code 3", "Hi L, code 2", "Hi L, code 1"]);
    expect(all.links.current).toBe(`${service.baseUrl}/v2/notifications?template_type=sms&status=delivered&reference=${reference}`);

    const older = (await client().getNotifications("sms", undefined, reference, ids[2])).data;
    expect(schemaErrors(getNotificationsResponse, older)).toEqual([]);
    expect(older.notifications.map((n: { id: string }) => n.id)).toEqual([ids[1], ids[0]]);
    expect((await client().getNotifications("email", undefined, reference)).data.notifications).toEqual([]);
    expect((await client().getNotifications("sms", "failed", reference)).data.notifications).toEqual([]);
    // A test key sees its own sends only, as in Notify.
    expect((await new NotifyClient(service.baseUrl, service.testKey).getNotifications(undefined, undefined, reference)).data.notifications).toEqual([]);
  });

  it("getTemplateById, getTemplateByIdAndVersion, getAllTemplates and previewTemplateById", async () => {
    const created = await createTemplate({ name: `Versions ${marker}`, channel: "email", subject: "v1 ((name))", body: "First ((name))" });
    const renamed = await api(`/api/v1/templates/${created.id}`, { method: "PATCH", body: { name: `Versions ${marker} renamed`, body: "Second ((name))" } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);

    const latest = (await client().getTemplateById(created.id)).data;
    expect(schemaErrors(getTemplateByIdResponse, latest)).toEqual([]);
    expect(latest).toMatchObject({ id: created.id, type: "email", version: 2, name: `Versions ${marker} renamed`, body: "Second ((name))", subject: "v1 ((name))", personalisation: { name: { required: true } } });
    expect(latest.updated_at).toMatch(NOTIFY_TIME);
    const first = (await client().getTemplateByIdAndVersion(created.id, 1)).data;
    expect(schemaErrors(getTemplateByIdResponse, first)).toEqual([]);
    expect(first).toMatchObject({ id: created.id, version: 1, name: `Versions ${marker}`, body: "First ((name))", updated_at: null });

    const emails = (await client().getAllTemplates("email")).data;
    expect(schemaErrors(getAllTemplateResponse, emails)).toEqual([]);
    const names = emails.templates.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining([`Client email ${marker}`, `Versions ${marker} renamed`]));
    expect(emails.templates.every((t: { type: string }) => t.type === "email")).toBe(true);
    const sms = (await client().getAllTemplates("sms")).data;
    expect(sms.templates.map((t: { id: string }) => t.id)).toContain(smsTemplate);
    expect(sms.templates.map((t: { id: string }) => t.id)).not.toContain(emailTemplate);

    const preview = (await client().previewTemplateById(emailTemplate, { name: "Cy", code: "9" })).data;
    expect(schemaErrors(postTemplatePreviewResponse, preview)).toEqual([]);
    expect(preview).toMatchObject({ id: emailTemplate, type: "email", version: 1, subject: "Hello Cy", body: "Dear Cy,\r\n\r\nYour code is 9." });
    expect(preview.html).toContain("Your code is 9.");
    const smsPreview = (await client().previewTemplateById(smsTemplate, { name: "Di", code: "1" })).data;
    expect(smsPreview).toMatchObject({ type: "sms", body: "Hi Di, code 1", subject: null, html: null });
  });

  it("getReceivedTexts lists a text simulated on the inbound sender, and pages with olderThan", async () => {
    const from = dramaMobile();
    for (const body of [`first ${marker}`, `second ${marker}`]) {
      const simulated = await api("/dev/sink/twilio/inbound", { body: { from, to: smsSender.sender, body } });
      expect(simulated.status, JSON.stringify(simulated.body)).toBe(201);
    }
    const page = (await client().getReceivedTexts()).data;
    expect(schemaErrors(getInboundSmsResponse, page)).toEqual([]);
    const [second, first] = page.received_text_messages.filter((t) => t.user_number === from);
    expect([second?.content, first?.content]).toEqual([`second ${marker}`, `first ${marker}`]);
    expect(second).toMatchObject({ notify_number: smsSender.sender, service_id: service.tenantId });
    expect(second!.created_at).toMatch(NOTIFY_TIME);
    expect(page.links.current).toBe(`${service.baseUrl}/v2/received-text-messages`);

    const older = (await client().getReceivedTexts(second!.id)).data;
    expect(schemaErrors(getInboundSmsResponse, older)).toEqual([]);
    expect(older.received_text_messages[0]).toMatchObject({ id: first!.id, content: `first ${marker}` });
  });

  it("prepareUpload + sendEmail sends a file: the email links to a page that asks for the address, then downloads it", async () => {
    const to = `file-${marker}@example.com`;
    const csv = `name,code\nAmala,${marker}\n`;
    const { data, status } = await client().sendEmail(fileTemplate, to, { personalisation: { link_to_file: client().prepareUpload(Buffer.from(csv), { filename: "codes.csv" }) } });
    expect(status).toBe(201);
    expect(schemaErrors(postEmailResponse, data)).toEqual([]);
    const link = /https?:\/\/[^\s)]+\/f\/[^\s)]+/.exec(data.content.body)?.[0];
    expect(link, data.content.body).toBeDefined();
    const { pathname, search } = new URL(link!);
    expect(search).toMatch(/^\?key=/);

    const page = await fetch(`${service.baseUrl}${pathname}${search}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("codes.csv");
    expect(html).toContain('name="email"');

    const wrong = await fetch(`${service.baseUrl}${pathname}${search}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "email=someone-else%40example.com" });
    expect(wrong.status).toBe(403);
    const download = await fetch(`${service.baseUrl}${pathname}${search}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `email=${encodeURIComponent(to.toUpperCase())}` });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;.*codes\.csv/);
    expect(await download.text()).toBe(csv);
  });

  it("errors reach the client in Notify's shape", async () => {
    const error = await client()
      .sendEmail(crypto.randomUUID(), "a@example.com", {})
      .then(
        () => undefined,
        (e: { response?: { status: number; data: unknown } }) => e,
      );
    expect(error?.response?.status).toBe(400);
    expect(error?.response?.data).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: "Template not found" }] });

    const missing = await client()
      .getNotificationById(crypto.randomUUID())
      .then(
        () => undefined,
        (e: { response?: { status: number; data: unknown } }) => e,
      );
    expect(missing?.response).toMatchObject({ status: 404, data: { status_code: 404, errors: [{ error: "NoResultFound", message: "No result found" }] } });

    const unauthorised = await new NotifyClient(service.baseUrl, `nobody-${service.tenantId}-${crypto.randomUUID()}`)
      .getTemplateById(smsTemplate)
      .then(
        () => undefined,
        (e: { response?: { status: number; data: { status_code: number; errors: { error: string }[] } } }) => e,
      );
    expect(unauthorised?.response?.status).toBe(403);
    expect(unauthorised?.response?.data.errors[0]!.error).toBe("AuthError");

    const letter = await client()
      .sendLetter(smsTemplate, { personalisation: { address_line_1: "A", address_line_2: "B", postcode: "SW1A 1AA" } })
      .then(
        () => undefined,
        (e: { response?: { status: number; data: { errors: { error: string; message: string }[] } } }) => e,
      );
    expect(letter?.response?.status).toBe(400);
    expect(letter?.response?.data.errors[0]).toEqual({ error: "BadRequestError", message: expect.stringMatching(/^Letters are not supported/) });
  });
});
