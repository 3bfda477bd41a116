import { AwsClient } from "aws4fetch";
import { createMimeMessage } from "mimetext/browser";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { SesEmailProvider } from "../../channels/email/ses";
import type { EmailMessage } from "../../channels/types";
import { clear } from "../store";
import { devApp, devEnv, inboxItems } from "../testing";

const URL = "http://127.0.0.1:8787/dev/sink/ses/v2/email/outbound-emails";
const signer = new AwsClient({ accessKeyId: "AKIDLOCALSINK", secretAccessKey: "local-sink-secret", region: "ca-central-1", service: "ses" });
const CSV = "id,name\n1,Ada\n2,Grace\n";
const SUBJECT = "Grüße ✓ – your report";

/** A raw message with html, text, cc, an attachment and a UTF-8 subject, as the SES adapter sends one. */
function rawMime(): string {
  const msg = createMimeMessage();
  msg.setSender({ name: "Édith Sender", addr: "edith@example.com" });
  msg.setTo(["bob@example.com"]);
  msg.setCc(["carol@example.com"]);
  msg.setSubject(SUBJECT);
  msg.setHeader("Message-ID", "<m-1@example.com>");
  msg.addMessage({ contentType: "text/plain", data: "Hello Bob, the report is attached." });
  msg.addMessage({ contentType: "text/html", data: '<p>Hello <strong>Bob</strong> &amp; "team"</p>' });
  msg.addAttachment({ filename: "report.csv", contentType: "text/csv", data: btoa(CSV) });
  return msg.asRaw();
}

function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/** SendEmail as the SES adapter sends it: SigV4-signed JSON. */
function sendEmail(body: unknown, init: { contentType?: string; url?: string } = {}): Promise<Request> {
  return signer.sign(init.url ?? URL, {
    method: "POST",
    headers: { "content-type": init.contentType ?? "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const rawBody = {
  FromEmailAddress: "edith@example.com",
  Destination: { ToAddresses: ["bob@example.com"], CcAddresses: ["carol@example.com"], BccAddresses: ["dave@example.com"] },
  ReplyToAddresses: ["replies@example.com"],
  Content: { Raw: { Data: base64Utf8(rawMime()) } },
};

describe("SES sink", () => {
  const app = devApp();
  beforeEach(async () => {
    await clear(devEnv.BUCKET);
  });

  it("accepts a signed raw-MIME SendEmail and answers like SES", async () => {
    const res = await app.request(await sendEmail(rawBody), undefined, devEnv);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("x-amzn-requestid")).toBeTruthy();
    const body = (await res.json()) as { MessageId: string };
    expect(Object.keys(body)).toEqual(["MessageId"]);
    expect(body.MessageId).toMatch(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/);
    const [item] = await inboxItems(app);
    expect(item?.providerMessageId).toBe(body.MessageId);
  });

  it("parses the MIME: sender, recipients, UTF-8 subject, headers, both bodies and the attachment; bcc from Destination", async () => {
    await app.request(await sendEmail(rawBody), undefined, devEnv);
    const [item, ...rest] = await inboxItems(app);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      channel: "email",
      provider: "ses",
      from: "Édith Sender <edith@example.com>",
      to: ["bob@example.com"],
      cc: ["carol@example.com"],
      bcc: ["dave@example.com"],
      replyTo: ["replies@example.com"],
      subject: SUBJECT,
      attachments: [{ index: 0, filename: "report.csv", contentType: "text/csv", size: CSV.length }],
    });
    expect(item!.text?.trim()).toBe("Hello Bob, the report is attached.");
    expect(item!.html).toContain("<strong>Bob</strong>");
    expect(item!.headers).toMatchObject({ subject: SUBJECT, "message-id": "<m-1@example.com>", to: "<bob@example.com>" });
    expect(item!.headers?.date).toBeTruthy();
    expect(item!.headers).not.toHaveProperty("bcc");
    // The envelope is kept for the inbox; the MIME is not stored twice.
    expect(item!.raw).toMatchObject({ Destination: rawBody.Destination, Content: { Raw: { Data: expect.stringMatching(/bytes of MIME/) } } });
  });

  it("shows the email on its detail page: sandboxed HTML, text alternative, attachment link and headers", async () => {
    await app.request(await sendEmail(rawBody), undefined, devEnv);
    const [item] = await inboxItems(app);
    const res = await app.request(`/dev/inbox/${item!.id}`, {}, devEnv);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    const iframe = page.match(/<iframe[^>]*>/)?.[0] ?? "";
    expect(iframe).toContain('sandbox=""');
    // Attribute-escaped, so the browser hands the iframe the email's HTML exactly as sent.
    expect(iframe).toContain('srcdoc="&lt;p&gt;Hello &lt;strong&gt;Bob&lt;/strong&gt; &amp;amp; &quot;team&quot;&lt;/p&gt;');
    expect(page).toContain("Hello Bob, the report is attached.");
    expect(page).toContain(`href="/dev/inbox/${item!.id}/attachments/0"`);
    expect(page).toContain("report.csv");
    expect(page).toContain(SUBJECT);
    expect(page).toContain("dave@example.com");
    expect(page).toContain("<dt>Message-ID</dt><dd>&lt;m-1@example.com&gt;</dd>");
    expect(page).toContain("<dt>Date</dt>");
    // Only the list reloads itself: a message being read stays put.
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it("serves the attachment bytes for download", async () => {
    await app.request(await sendEmail(rawBody), undefined, devEnv);
    const [item] = await inboxItems(app);
    const res = await app.request(`/dev/inbox/${item!.id}/attachments/0`, {}, devEnv);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="report.csv"; filename*=UTF-8''report.csv`);
    expect(await res.text()).toBe(CSV);
    expect((await app.request(`/dev/inbox/${item!.id}/attachments/1`, {}, devEnv)).status).toBe(404);
  });

  it("accepts Simple content too", async () => {
    const res = await app.request(
      await sendEmail({
        FromEmailAddress: "edith@example.com",
        Destination: { ToAddresses: ["bob@example.com"], BccAddresses: ["dave@example.com"] },
        Content: { Simple: { Subject: { Data: "Plain" }, Body: { Text: { Data: "Just text" }, Html: { Data: "<p>Just html</p>" } } } },
      }),
      undefined,
      devEnv,
    );
    expect(res.status).toBe(200);
    const [item] = await inboxItems(app);
    expect(item).toMatchObject({ from: "edith@example.com", to: ["bob@example.com"], bcc: ["dave@example.com"], subject: "Plain", text: "Just text", html: "<p>Just html</p>" });
  });

  describe("answers malformed requests the way SES does", () => {
    async function expectSesError(request: Request, status: number, type: string) {
      const res = await app.request(request, undefined, devEnv);
      expect(res.status).toBe(status);
      expect(res.headers.get("x-amzn-errortype")).toBe(type);
      const body = (await res.json()) as { message: string };
      expect(body.message).toEqual(expect.any(String));
      return body.message;
    }

    it("refuses an unsigned request and one signed some other way", async () => {
      const body = JSON.stringify(rawBody);
      await expectSesError(new Request(URL, { method: "POST", headers: { "content-type": "application/json" }, body }), 403, "MissingAuthenticationTokenException");
      const basic = new Request(URL, { method: "POST", headers: { "content-type": "application/json", authorization: "Basic YTpi" }, body });
      await expectSesError(basic, 400, "IncompleteSignatureException");
      const partial = new Request(URL, { method: "POST", headers: { "content-type": "application/json", authorization: "AWS4-HMAC-SHA256 Credential=AKID/x" }, body });
      expect(await expectSesError(partial, 400, "IncompleteSignatureException")).toContain("'Signature'");
    });

    it("refuses bodies that are not a SendEmail request", async () => {
      await expectSesError(await sendEmail("{not json"), 400, "SerializationException");
      await expectSesError(await sendEmail(rawBody, { contentType: "text/plain" }), 400, "BadRequestException");
      expect(await expectSesError(await sendEmail({ FromEmailAddress: "a@example.com" }), 400, "BadRequestException")).toContain("Content");
      await expectSesError(await sendEmail({ ...rawBody, Content: { Raw: { Data: "%%% not base64 %%%" } } }), 400, "BadRequestException");
      await expectSesError(await sendEmail({ ...rawBody, Content: {} }), 400, "BadRequestException");
      await expectSesError(await sendEmail({ ...rawBody, Content: { Template: { TemplateName: "x" } } }), 400, "BadRequestException");
      const noRecipients = createMimeMessage();
      noRecipients.setSender("edith@example.com");
      noRecipients.setTo("nobody@example.com"); // mimetext insists on one; the test strips it below
      noRecipients.setSubject("Nobody");
      noRecipients.addMessage({ contentType: "text/plain", data: "hi" });
      const body = { Content: { Raw: { Data: base64Utf8(noRecipients.asRaw().replace(/^To:.*\r\n/m, "")) } } };
      await expectSesError(await sendEmail(body), 400, "BadRequestException");
      expect(await inboxItems(app)).toEqual([]);
    });

    it("knows only SendEmail and SendBulkEmail", async () => {
      await expectSesError(await signer.sign(URL, { method: "GET" }), 404, "UnknownOperationException");
      await expectSesError(await sendEmail(rawBody, { url: "http://127.0.0.1:8787/dev/sink/ses/v2/email/templates" }), 404, "UnknownOperationException");
    });
  });
});

describe("SES sink: SendBulkEmail", () => {
  const app = devApp();
  const BULK_URL = "http://127.0.0.1:8787/dev/sink/ses/v2/email/outbound-bulk-emails";
  beforeEach(async () => {
    await clear(devEnv.BUCKET);
  });

  const entry = (to: string, data: Record<string, string>, headers: { Name: string; Value: string }[] = []) => ({
    Destination: { ToAddresses: [to] },
    ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(data) } },
    ...(headers.length ? { ReplacementHeaders: headers } : {}),
  });
  const bulkBody = {
    FromEmailAddress: "=?UTF-8?B?w4lkaXRoIFNlbmRlcg==?= <edith@example.com>",
    ReplyToAddresses: ["replies@example.com"],
    DefaultContent: {
      Template: {
        TemplateContent: { Subject: "{{{subject}}}", Html: "<div>{{{html}}}</div><p>{{name}}</p>", Text: "{{{text}}}" },
        TemplateData: JSON.stringify({ name: "nobody" }),
        Headers: [{ Name: "X-Campaign", Value: "autumn" }],
      },
    },
    BulkEmailEntries: [
      entry("bob@example.com", { subject: "Bob & co", html: "<b>Hi Bob</b>", text: "Hi Bob", name: "<Bob>" }, [{ Name: "X-Notify-Delivery-Id", Value: "dlv-1" }]),
      entry("carol@example.com", { subject: "Carol", html: "<b>Hi Carol</b>", text: "Hi Carol" }, [{ Name: "X-Campaign", Value: "winter" }]),
    ],
  };

  it("renders each entry with its data over the template's defaults and captures it as its own message", async () => {
    const res = await app.request(await sendEmail(bulkBody, { url: BULK_URL }), undefined, devEnv);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amzn-requestid")).toBeTruthy();
    const body = (await res.json()) as { BulkEmailEntryResults: { Status: string; MessageId: string }[] };
    expect(body.BulkEmailEntryResults).toEqual([
      { Status: "SUCCESS", MessageId: expect.stringMatching(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/) },
      { Status: "SUCCESS", MessageId: expect.stringMatching(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/) },
    ]);
    const items = await inboxItems(app);
    expect(items).toHaveLength(2);
    const bob = items.find((i) => i.to[0] === "bob@example.com");
    const carol = items.find((i) => i.to[0] === "carol@example.com");
    expect(bob).toMatchObject({
      channel: "email",
      provider: "ses",
      providerMessageId: body.BulkEmailEntryResults[0]!.MessageId,
      from: "Édith Sender <edith@example.com>",
      replyTo: ["replies@example.com"],
      // Triple braces as they are; double braces HTML-escaped.
      subject: "Bob & co",
      html: "<div><b>Hi Bob</b></div><p>&lt;Bob&gt;</p>",
      text: "Hi Bob",
      headers: { "x-campaign": "autumn", "x-notify-delivery-id": "dlv-1" },
    });
    expect(bob!.raw).toMatchObject({ FromEmailAddress: bulkBody.FromEmailAddress, BulkEmailEntry: bulkBody.BulkEmailEntries[0] });
    expect(bob!.raw).not.toHaveProperty("BulkEmailEntries");
    // A value missing from the entry falls back to the template's default; its own header replaces the template's.
    expect(carol).toMatchObject({ providerMessageId: body.BulkEmailEntryResults[1]!.MessageId, subject: "Carol", html: "<div><b>Hi Carol</b></div><p>nobody</p>", headers: { "x-campaign": "winter" } });
  });

  it("refuses an entry on its own (INVALID_PARAMETER) and still sends the others", async () => {
    const bad = { ...entry("dave@example.com", {}), ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: "{not json" } } };
    const noRecipient = { ...entry("x@example.com", { subject: "x" }), Destination: {} };
    const res = await app.request(await sendEmail({ ...bulkBody, BulkEmailEntries: [bad, bulkBody.BulkEmailEntries[0], noRecipient] }, { url: BULK_URL }), undefined, devEnv);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { BulkEmailEntryResults: { Status: string; Error?: string }[] };
    expect(body.BulkEmailEntryResults.map((r) => r.Status)).toEqual(["INVALID_PARAMETER", "SUCCESS", "INVALID_PARAMETER"]);
    expect(body.BulkEmailEntryResults[0]!.Error).toEqual(expect.any(String));
    expect((await inboxItems(app)).map((i) => i.to)).toEqual([["bob@example.com"]]);
  });

  it("answers malformed bulk requests the way SES does, capturing nothing", async () => {
    async function expectSesError(request: Request, status: number, type: string) {
      const res = await app.request(request, undefined, devEnv);
      expect(res.status).toBe(status);
      expect(res.headers.get("x-amzn-errortype")).toBe(type);
      return ((await res.json()) as { message: string }).message;
    }
    const json = JSON.stringify(bulkBody);
    await expectSesError(new Request(BULK_URL, { method: "POST", headers: { "content-type": "application/json" }, body: json }), 403, "MissingAuthenticationTokenException");
    await expectSesError(await sendEmail("{not json", { url: BULK_URL }), 400, "SerializationException");
    await expectSesError(await sendEmail(bulkBody, { url: BULK_URL, contentType: "text/plain" }), 400, "BadRequestException");
    const { FromEmailAddress: _from, ...noFrom } = bulkBody;
    expect(await expectSesError(await sendEmail(noFrom, { url: BULK_URL }), 400, "BadRequestException")).toContain("FromEmailAddress");
    const stored = { ...bulkBody, DefaultContent: { Template: { TemplateName: "welcome" } } };
    expect(await expectSesError(await sendEmail(stored, { url: BULK_URL }), 400, "BadRequestException")).toContain("TemplateContent");
    const noBody = { ...bulkBody, DefaultContent: { Template: { TemplateContent: { Subject: "{{{subject}}}" } } } };
    await expectSesError(await sendEmail(noBody, { url: BULK_URL }), 400, "BadRequestException");
    await expectSesError(await sendEmail({ ...bulkBody, BulkEmailEntries: [] }, { url: BULK_URL }), 400, "BadRequestException");
    const tooMany = Array.from({ length: 51 }, (_, i) => entry(`r${i}@example.com`, { subject: "s", text: "t" }));
    expect(await expectSesError(await sendEmail({ ...bulkBody, BulkEmailEntries: tooMany }, { url: BULK_URL }), 400, "BadRequestException")).toContain("BulkEmailEntries");
    expect(await inboxItems(app)).toEqual([]);
  });

  describe("with the real SES adapter (what npm start runs)", () => {
    beforeAll(() => {
      vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => app.request(new Request(input, init), undefined, devEnv));
    });
    afterAll(() => {
      vi.unstubAllGlobals();
    });

    it("a mail-merge batch arrives as one message per row, exactly as rendered, each with its own id and headers", async () => {
      const ses = new SesEmailProvider({ accessKeyId: "AKIDLOCALSINK", secretAccessKey: "local-sink-secret", region: "ca-central-1", endpoint: "http://127.0.0.1:8787/dev/sink/ses" });
      const row = (n: number, to: string): EmailMessage => ({
        deliveryId: `del-merge-${n}`,
        from: { email: "no-reply@notify.example.com", name: "Équipe Notify" },
        replyTo: [{ email: "help@example.com", name: "Help, Desk" }],
        to: [to],
        cc: [],
        bcc: [],
        subject: `Row ${n} & "friends" {{not a tag}}`,
        html: `<p>Hello <strong>${to}</strong> &amp; co</p>`,
        text: `Hello ${to}`,
        attachments: [],
        headers: { "List-Unsubscribe": `<https://notify.example.com/u/token-${n}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
      });
      const messages = [row(1, "ada@example.com"), row(2, "grace@example.com")];
      expect(ses.batchKey(messages[0]!)).toBe(ses.batchKey(messages[1]!));

      const results = await ses.sendBatch(messages);
      const items = await inboxItems(app);
      expect(items).toHaveLength(2);
      for (const [i, message] of messages.entries()) {
        const item = items.find((it) => it.to[0] === message.to[0])!;
        expect(results[i]).toEqual({ ok: true, outcome: { providerMessageId: item.providerMessageId, status: "delivered" } });
        expect(item).toMatchObject({
          from: "Équipe Notify <no-reply@notify.example.com>",
          replyTo: ['"Help, Desk" <help@example.com>'],
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: { "x-notify-delivery-id": message.deliveryId, "list-unsubscribe": message.headers!["List-Unsubscribe"], "list-unsubscribe-post": "List-Unsubscribe=One-Click" },
        });
      }
    });
  });
});
