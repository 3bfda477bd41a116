import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import worker from "../../src/index";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// The seed's sections 1 and 2 (seeds/004_…txt), sent as written ("handlebar" read as mustache).
const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Seed examples", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const example11 = {
  recipients: { to: ["me@example.com", "you@example.com"], cc: ["copyto@example.com"], bcc: ["blindcopyto@example.com"] },
  content: { subject: "A really simple email", body: "This is an example of how simple the API can be", bodyType: "text" },
};

const example21 = {
  params: { "substitute-my-email": "me@example.com", subject: "Sample subject", "body-part": "templating and parameter substitution" },
  recipients: { to: ["{{substitute-my-email}}", "you@example.com"], cc: ["copyto@example.com"], bcc: ["blindcopyto@example.com"] },
  content: { subject: "{{subject}}", body: "This is an example of {{body-part}}", renderer: "handlebar" },
};

describe("seed 1.1: send an email", () => {
  it("POST /notifysimple/email sends one email to every recipient and it is delivered", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: example11 });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ status: "accepted", channels: { email: 4 }, createdAt: expect.any(String) });
    expect(receipt.statusUrl).toBe(`http://notify.test/api/v1/notify/${receipt.notifyId}`);
    expect(res.headers.get("location")).toBe(receipt.statusUrl);

    const final = await waitForNotification(tenant, receipt.notifyId);
    expect(final.status).toBe("delivered");
    expect(final.messages.map((m: any) => [m.recipient, m.role, m.status])).toEqual([
      ["me@example.com", "to", "delivered"],
      ["you@example.com", "to", "delivered"],
      ["copyto@example.com", "cc", "delivered"],
      ["blindcopyto@example.com", "bcc", "delivered"],
    ]);
    expect(final.messages[0]).toMatchObject({ provider: "ses", providerMessageId: mocks.messageId("ses", 1), attempts: 1 });

    expect(mocks.captured.ses).toHaveLength(1);
    const [sent] = mocks.captured.ses;
    expect(sent!.destination).toEqual({
      ToAddresses: ["me@example.com", "you@example.com"],
      CcAddresses: ["copyto@example.com"],
      BccAddresses: ["blindcopyto@example.com"],
    });
    expect(sent!.mime.subject).toBe("A really simple email");
    expect(sent!.mime.text?.trim()).toBe("This is an example of how simple the API can be");
    expect(sent!.raw).not.toMatch(/^bcc:/im);
  });

  it("POST /notifysimple with an email channel does the same", async () => {
    // The same notification as the test before, so it is answered as a duplicate unless allowed.
    const duplicate = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { email: example11 } });
    expect(duplicate.status).toBe(200);
    expect(duplicate.headers.get("idempotent-replayed")).toBe("true");
    expect(mocks.captured.ses).toHaveLength(0);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { email: example11, allowDuplicate: true } });
    expect(res.status).toBe(201);
    const final = await waitForNotification(tenant, (await json(res)).notifyId);
    expect(final.status).toBe("delivered");
    expect(mocks.captured.ses).toHaveLength(1);
  });
});

describe("seed 1.2: email and SMS together", () => {
  it("sends the email and the text message", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: {
        email: example11,
        sms: {
          recipients: { to: ["+17787001234"] },
          content: { body: "This is an example of how simple the API can be", bodyType: "text" },
        },
      },
    });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ email: 4, sms: 1 });
    const final = await waitForNotification(tenant, receipt.notifyId);
    expect(final.status).toBe("delivered");
    expect(final.channels).toEqual(["email", "sms"]);
    expect(mocks.captured.twilio).toEqual([{ to: "+17787001234", from: "+15005550006", body: "This is an example of how simple the API can be" }]);
    expect(mocks.captured.ses).toHaveLength(1);
  });
});

describe("seed 2.1 and 2.2: inline templating and its preview", () => {
  it("2.2: the preview of 2.1 is the seed's documented output, and stores nothing", async () => {
    const before = await json(await asTenant(tenant, "GET", "/api/v1/notify?limit=200"));
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: example21 });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email).toHaveLength(1);
    expect(preview.email[0]).toMatchObject({
      recipients: { to: ["me@example.com", "you@example.com"], cc: ["copyto@example.com"], bcc: ["blindcopyto@example.com"] },
      content: {
        subject: "Sample subject",
        body: "This is an example of templating and parameter substitution",
        renderer: "handlebar",
      },
    });
    expect(preview.email[0]).toMatchObject({ provider: "ses", from: "Edge Notify <noreply@notify.test>", attachments: [] });
    const after = await json(await asTenant(tenant, "GET", "/api/v1/notify?limit=200"));
    expect(after.items).toHaveLength(before.items.length);
    expect(mocks.captured.ses).toHaveLength(0);
  });

  it("2.1: sends the rendered email", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: example21 });
    expect(res.status).toBe(201);
    await waitForNotification(tenant, (await json(res)).notifyId);
    const [sent] = mocks.captured.ses;
    expect(sent!.destination.ToAddresses).toEqual(["me@example.com", "you@example.com"]);
    expect(sent!.mime.subject).toBe("Sample subject");
    expect(sent!.mime.text?.trim()).toBe("This is an example of templating and parameter substitution");
  });
});

describe("seed 2.3 and 2.4: server templates, attachments and delayed send", () => {
  let templateId: string;

  it("2.3: creates 'Sample template', finds it with ?name=, and sends with it", async () => {
    const created = await asTenant(tenant, "POST", "/api/v1/templates", {
      body: { name: "Sample template", channel: "email", subject: "{{subject}}", body: "This is an example of {{body-part}}" },
    });
    expect(created.status).toBe(201);
    const found = await json(await asTenant(tenant, "GET", `/api/v1/templates?name=${encodeURIComponent('"Sample template"')}`));
    expect(found.items).toHaveLength(1);
    templateId = found.items[0].id;
    expect(templateId).toBe((await json(created)).id);

    const body = { params: example21.params, recipients: example11.recipients, content: { templateId } };
    const preview = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body }));
    expect(preview.email[0]).toMatchObject({
      recipients: example11.recipients,
      content: { subject: "Sample subject", body: "This is an example of templating and parameter substitution" },
    });

    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body });
    expect(res.status).toBe(201);
    const final = await waitForNotification(tenant, (await json(res)).notifyId);
    expect(final.status).toBe("delivered");
    expect(final.messages[0]).toMatchObject({ templateId, templateVersion: 1 });
    expect(mocks.captured.ses[0]!.mime.subject).toBe("Sample subject");
  });

  it("2.4: stores the attachments under the tenant, holds the send until due, then delivers it with them", async () => {
    const delayedSend = new Date(Date.now() + 3 * 60_000).toISOString().slice(0, 19); // no zone: UTC
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
      body: {
        params: example21.params,
        recipients: example11.recipients,
        content: { templateId },
        attachments: [
          // The seed's bytes were not a PNG or a PDF; attachments are now checked against their declared type.
          { content: "iVBORw0KGgo8Yj5IZWxsbyBXb3JsZFwhPC9iPg==", contentType: "image/png", filename: "myimage.png" },
          { content: "JVBERi0xLjQKJXNlZWQgZXhhbXBsZQo=", contentType: "application/pdf", filename: "mypdf.pdf" },
        ],
        delayedSend,
      },
    });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ status: "scheduled", scheduledFor: `${delayedSend}.000Z` });

    const stored = await env.BUCKET.list({ prefix: `tenants/${tenant.id}/attachments/${receipt.notifyId}/` });
    expect(stored.objects.map((o) => o.key.split("/").pop())).toEqual(["0-myimage.png", "1-mypdf.pdf"]);

    // Not due yet: the cron leaves it alone.
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, createExecutionContext());
    let status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`));
    expect(status.status).toBe("scheduled");
    expect(status.messages.every((m: any) => m.status === "scheduled")).toBe(true);

    // At the due minute the cron releases it.
    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse(`${delayedSend}Z`), cron: "* * * * *" }), env, createExecutionContext());
    status = await waitForNotification(tenant, receipt.notifyId, (n) => n.status === "delivered", 20_000);
    expect(status.messages).toHaveLength(4);

    const [sent] = mocks.captured.ses;
    expect(sent!.mime.attachments.map((a) => [a.filename, a.mimeType])).toEqual([
      ["myimage.png", "image/png"],
      ["mypdf.pdf", "application/pdf"],
    ]);
    const png = new Uint8Array(sent!.mime.attachments[0]!.content as ArrayBuffer);
    expect(new TextDecoder().decode(png.subarray(8))).toBe("<b>Hello World\\!</b>");
  });
});
