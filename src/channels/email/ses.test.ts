import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import PostalMime from "postal-mime";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailMessage } from "../types";
import { SesEmailProvider } from "./ses";

const KEY_ID = "AKIDEXAMPLE0123";
const SECRET = "ses-secret-do-not-leak";
const REGION = "ca-central-1";
const SES_URL = `https://email.${REGION}.amazonaws.com/v2/email/outbound-emails`;

const message: EmailMessage = {
  deliveryId: "dlv_ses_1",
  from: { email: "noreply@notify.example", name: "Notify Team" },
  replyTo: [{ email: "help@notify.example", name: "Help" }, { email: "audit@notify.example" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net"],
  subject: "Votre dossier ✓",
  text: "Bonjour Ada",
  html: "<p>Bonjour <b>Ada</b></p>",
  attachments: [{ filename: "dossier.pdf", contentType: "application/pdf", content: Uint8Array.from([37, 80, 68, 70, 45, 49]) }],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

// ── An independent SigV4 check (AWS's documented algorithm), so the test does not trust aws4fetch ──
const encoder = new TextEncoder();
const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (text: string) => hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data));
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** The reason the signature is wrong, or null when it matches the request, body included. */
async function sigV4Problem(request: { method: string; url: string; headers: Headers }, body: string): Promise<string | null> {
  const match = AUTH.exec(request.headers.get("authorization") ?? "");
  if (!match) return "malformed Authorization";
  const [, keyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  const amzDate = request.headers.get("x-amz-date") ?? "";
  if (keyId !== KEY_ID || region !== REGION || service !== "ses") return "wrong credential scope";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date!)) return "bad x-amz-date";
  const names = signedHeaders!.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) return "host and x-amz-date must be signed";
  const url = new URL(request.url);
  const canonicalHeaders = names.map((h) => `${h}:${h === "host" ? url.host : (request.headers.get(h) ?? "").trim()}\n`).join("");
  const canonicalRequest = [request.method, url.pathname, url.search.slice(1), canonicalHeaders, signedHeaders, await sha256(body)].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, `${date}/${region}/${service}/aws4_request`, await sha256(canonicalRequest)].join("\n");
  let key: ArrayBuffer | Uint8Array = encoder.encode(`AWS4${SECRET}`);
  for (const part of [date!, region!, service!, "aws4_request"]) key = await hmac(key, part);
  return hex(await hmac(key, stringToSign)) === signature ? null : "signature mismatch";
}

// ── The fake SES endpoint ──
interface SendEmailBody {
  FromEmailAddress: string;
  Destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ReplyToAddresses?: string[];
  Content: { Raw: { Data: string } };
  ConfigurationSetName?: string;
}

let received: { url: string; method: string; contentType: string | null; body: SendEmailBody; mime: Awaited<ReturnType<typeof PostalMime.parse>>; raw: string }[] = [];

/** SES's restJson1 error answer: the type in `x-amzn-ErrorType`, the text in `message`. */
const sesError = (status: number, type: string, text: string, headers: Record<string, string> = {}) =>
  HttpResponse.json(
    { message: text },
    { status, headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, "x-amzn-requestid": "req-1", ...headers } },
  );

const sendEmail = (url: string) =>
  http.post(url, async ({ request }) => {
    const text = await request.text();
    const problem = await sigV4Problem(request, text);
    if (problem) return sesError(403, "InvalidSignatureException", `The request signature we calculated does not match (${problem})`);
    const body = JSON.parse(text) as SendEmailBody;
    if (!body.Content?.Raw?.Data || !body.Destination) return sesError(400, "BadRequestException", "Missing required content");
    const raw = atob(body.Content.Raw.Data);
    received.push({
      url: request.url,
      method: request.method,
      contentType: request.headers.get("content-type"),
      body,
      mime: await PostalMime.parse(Uint8Array.from(raw, (c) => c.charCodeAt(0))),
      raw,
    });
    return HttpResponse.json({ MessageId: "0100018c-ses-message-id-000000" });
  });

const server = setupServer(sendEmail(SES_URL));
const ses = (config: Partial<ConstructorParameters<typeof SesEmailProvider>[0]> = {}) =>
  new SesEmailProvider({ accessKeyId: KEY_ID, secretAccessKey: SECRET, region: REGION, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("SesEmailProvider", () => {
  it("POSTs a SigV4-signed SendEmail with raw MIME content and maps MessageId", async () => {
    const outcome = await ses({ configurationSet: "notify-events" }).send(message);

    expect(outcome).toEqual({ providerMessageId: "0100018c-ses-message-id-000000", status: "delivered" });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe(SES_URL);
    expect(req!.contentType).toBe("application/json");
    const { Content: _content, ...fields } = req!.body;
    expect(fields).toEqual({
      FromEmailAddress: "noreply@notify.example",
      Destination: { ToAddresses: ["ada@example.com", "grace@example.org"], CcAddresses: ["boss@example.com"], BccAddresses: ["hidden@example.net"] },
      ReplyToAddresses: ["help@notify.example", "audit@notify.example"],
      ConfigurationSetName: "notify-events",
    });
  });

  it("sends a MIME message with the display name, cc, reply-to, alternatives and attachments, and no Bcc header", async () => {
    await ses().send(message);
    const { mime, raw } = received[0]!;

    expect(mime.from).toEqual({ name: "Notify Team", address: "noreply@notify.example" });
    expect(mime.to?.map((a) => a.address)).toEqual(["ada@example.com", "grace@example.org"]);
    expect(mime.cc?.map((a) => a.address)).toEqual(["boss@example.com"]);
    expect(mime.replyTo?.map((a) => a.address)).toEqual(["help@notify.example", "audit@notify.example"]);
    expect(mime.subject).toBe("Votre dossier ✓");
    expect(mime.text).toBe("Bonjour Ada");
    expect(mime.html).toBe("<p>Bonjour <b>Ada</b></p>");
    expect(mime.messageId).toBe("<dlv_ses_1@notify.example>");
    expect(mime.headers.find((h) => h.key === "x-notify-delivery-id")?.value).toBe("dlv_ses_1");
    expect(mime.attachments).toHaveLength(1);
    expect(mime.attachments[0]).toMatchObject({ filename: "dossier.pdf", mimeType: "application/pdf" });
    expect(new Uint8Array(mime.attachments[0]!.content as ArrayBuffer)).toEqual(message.attachments[0]!.content);
    expect(mime.bcc).toBeUndefined();
    expect(raw).not.toContain("hidden@example.net");
  });

  it("leaves out empty cc, bcc, reply-to and the configuration set", async () => {
    await ses().send({ ...message, cc: [], bcc: [], replyTo: [] });
    const { Content: _content, ...fields } = received[0]!.body;
    expect(fields).toEqual({ FromEmailAddress: "noreply@notify.example", Destination: { ToAddresses: ["ada@example.com", "grace@example.org"] } });
  });

  it("sends internationalised domains in punycode, as SES requires", async () => {
    await ses().send({ ...message, to: ["ann@bücher.example"], cc: [], bcc: [] });
    expect(received[0]!.body.Destination).toEqual({ ToAddresses: ["ann@xn--bcher-kva.example"] });
    expect(received[0]!.mime.to).toEqual([{ name: "", address: "ann@xn--bcher-kva.example" }]);
  });

  it("uses SES_ENDPOINT as the base URL (the local sink), still signing for the region", async () => {
    const sink = "http://127.0.0.1:8787/dev/sink/ses/v2/email/outbound-emails";
    server.use(sendEmail(sink));
    await expect(ses({ endpoint: "http://127.0.0.1:8787/dev/sink/ses/" }).send(message)).resolves.toMatchObject({ status: "delivered" });
    expect(received[0]!.url).toBe(sink);
  });

  it("maps MessageRejected (400) to permanent with SES's type and message", async () => {
    const text = "Email address is not verified. The following identities failed the check in region CA-CENTRAL-1: ada@example.com";
    server.use(http.post(SES_URL, () => sesError(400, "MessageRejected", text)));
    await expect(ses().send(message)).rejects.toMatchObject({
      name: "ProviderError",
      provider: "ses",
      kind: "permanent",
      httpStatus: 400,
      providerCode: "MessageRejected",
      message: `ses: MessageRejected: ${text}`,
    });
  });

  it("maps account and identity errors (also answered with 400/404) to configuration", async () => {
    for (const [status, type] of [
      [400, "SendingPausedException"],
      [400, "AccountSendingPausedException"],
      [400, "AccountSuspendedException"],
      [400, "MailFromDomainNotVerifiedException"],
      [404, "NotFoundException"],
    ] as const) {
      server.use(http.post(SES_URL, () => sesError(status, type, "refused"), { once: true }));
      await expect(ses().send(message)).rejects.toMatchObject({ kind: "configuration", httpStatus: status, providerCode: type });
    }
  });

  it("reads the type from __type when the header is absent", async () => {
    server.use(http.post(SES_URL, () => HttpResponse.json({ __type: "com.amazonaws.sesv2#SendingPausedException", message: "paused" }, { status: 400 })));
    await expect(ses().send(message)).rejects.toMatchObject({ kind: "configuration", providerCode: "SendingPausedException" });
  });

  it("maps refused credentials (403) to configuration without echoing the secret", async () => {
    const err = (await ses({ secretAccessKey: "wrong-secret" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 403, providerCode: "InvalidSignatureException" });
    expect(err.message).not.toContain("wrong-secret");
    expect(err.message).not.toContain(SECRET);
  });

  it("maps TooManyRequestsException (429) to retryable with Retry-After", async () => {
    server.use(http.post(SES_URL, () => sesError(429, "TooManyRequestsException", "Maximum sending rate exceeded.", { "retry-after": "12" })));
    await expect(ses().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 12, providerCode: "TooManyRequestsException" });
  });

  it("maps LimitExceededException (a 400) to retryable", async () => {
    server.use(http.post(SES_URL, () => sesError(400, "LimitExceededException", "Daily message quota exceeded.")));
    await expect(ses().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 400 });
  });

  it("maps 5xx to retryable, also without SES's JSON", async () => {
    server.use(http.post(SES_URL, () => sesError(500, "InternalFailure", "Internal failure"), { once: true }));
    await expect(ses().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500 });
    server.use(http.post(SES_URL, () => new HttpResponse("<html>Service Unavailable</html>", { status: 503 })));
    await expect(ses().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 503 });
  });

  it("maps a network failure to retryable", async () => {
    server.use(http.post(SES_URL, () => HttpResponse.error()));
    await expect(ses().send(message)).rejects.toMatchObject({ kind: "retryable", message: "ses: network error" });
  });

  it("passes the signal to fetch: a timeout is an unknown outcome, not retried", async () => {
    server.use(http.post(SES_URL, () => delay("infinite")));
    await expect(ses().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "ses: request timed out; the provider may have accepted it" });
  });
});

describe("SesEmailProvider: one-click unsubscribe", () => {
  it("writes List-Unsubscribe and List-Unsubscribe-Post into the raw MIME", async () => {
    await ses().send({ ...message, headers: UNSUBSCRIBE });
    const { mime, raw } = received[0]!;
    expect(raw).toContain(`\r\nList-Unsubscribe: ${UNSUBSCRIBE["List-Unsubscribe"]}\r\n`);
    expect(raw).toContain("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    expect(mime.headers.find((h) => h.key === "list-unsubscribe")?.value).toBe(UNSUBSCRIBE["List-Unsubscribe"]);
  });
});

describe("SesEmailProvider: batch (SendBulkEmail, mail merges)", () => {
  const BULK_URL = `https://email.${REGION}.amazonaws.com/v2/email/outbound-bulk-emails`;
  const row = (n: number, extra: Partial<EmailMessage> = {}): EmailMessage => ({
    deliveryId: `dlv_ses_b${n}`,
    from: { email: "noreply@notify.example", name: "Notify Team" },
    replyTo: [{ email: "help@notify.example", name: "Help" }],
    to: [`row${n}@example.com`],
    cc: [],
    bcc: [],
    subject: `Résultat n° ${n} & suite`,
    html: `<p>Row ${n} &amp; <b>more</b></p>`,
    text: `Row ${n}`,
    attachments: [],
    headers: UNSUBSCRIBE,
    ...extra,
  });

  interface BulkBody {
    FromEmailAddress: string;
    ReplyToAddresses?: string[];
    ConfigurationSetName?: string;
    DefaultContent: { Template: { TemplateContent: Record<string, string>; TemplateData?: string } };
    BulkEmailEntries: {
      Destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
      ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: string } };
      ReplacementHeaders?: { Name: string; Value: string }[];
    }[];
  }
  let bulk: { url: string; method: string; contentType: string | null; body: BulkBody }[] = [];
  /** A fake SendBulkEmail: SigV4 checked as for SendEmail, at most 50 entries, one SUCCESS result per entry but MESSAGE_REJECTED for `virus@…`. */
  const sendBulk = (url: string) =>
    http.post(url, async ({ request }) => {
      const text = await request.text();
      const problem = await sigV4Problem(request, text);
      if (problem) return sesError(403, "InvalidSignatureException", `The request signature we calculated does not match (${problem})`);
      const body = JSON.parse(text) as BulkBody;
      if (!body.DefaultContent?.Template || !body.BulkEmailEntries?.length || body.BulkEmailEntries.length > 50) return sesError(400, "BadRequestException", "Invalid BulkEmailEntries");
      bulk.push({ url: request.url, method: request.method, contentType: request.headers.get("content-type"), body });
      return HttpResponse.json({
        BulkEmailEntryResults: body.BulkEmailEntries.map((e, i) =>
          e.Destination.ToAddresses?.[0]?.startsWith("virus@")
            ? { Status: "MESSAGE_REJECTED", Error: "Message contains a virus" }
            : { Status: "SUCCESS", MessageId: `0100018c-bulk-${i}` },
        ),
      });
    });
  afterEach(() => {
    bulk = [];
  });

  it("POSTs a SigV4-signed SendBulkEmail: an inline template of placeholders, each entry's rendered parts, recipients and headers", async () => {
    server.use(sendBulk(BULK_URL));
    const messages = [row(1), row(2, { cc: ["boss@example.com"], bcc: ["audit@example.net"] }), row(3, { to: ["ann@bücher.example"], headers: undefined })];
    const results = await ses({ configurationSet: "notify-events" }).sendBatch(messages);

    expect(results).toEqual([0, 1, 2].map((i) => ({ ok: true, outcome: { providerMessageId: `0100018c-bulk-${i}`, status: "delivered" } })));
    expect(bulk).toHaveLength(1);
    const [call] = bulk;
    expect(call).toMatchObject({ url: BULK_URL, method: "POST", contentType: "application/json" });
    const { BulkEmailEntries: entries, ...fields } = call!.body;
    expect(fields).toEqual({
      FromEmailAddress: "Notify Team <noreply@notify.example>",
      ReplyToAddresses: ["Help <help@notify.example>"],
      DefaultContent: { Template: { TemplateContent: { Subject: "{{{subject}}}", Html: "{{{html}}}", Text: "{{{text}}}" }, TemplateData: "{}" } },
      ConfigurationSetName: "notify-events",
    });
    const data = (n: number) => JSON.stringify({ subject: `Résultat n° ${n} & suite`, html: `<p>Row ${n} &amp; <b>more</b></p>`, text: `Row ${n}` });
    const unsubscribe = [
      { Name: "List-Unsubscribe", Value: UNSUBSCRIBE["List-Unsubscribe"] },
      { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
    ];
    expect(entries).toEqual([
      {
        Destination: { ToAddresses: ["row1@example.com"] },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: data(1) } },
        ReplacementHeaders: [{ Name: "X-Notify-Delivery-Id", Value: "dlv_ses_b1" }, ...unsubscribe],
      },
      {
        Destination: { ToAddresses: ["row2@example.com"], CcAddresses: ["boss@example.com"], BccAddresses: ["audit@example.net"] },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: data(2) } },
        ReplacementHeaders: [{ Name: "X-Notify-Delivery-Id", Value: "dlv_ses_b2" }, ...unsubscribe],
      },
      {
        Destination: { ToAddresses: ["ann@xn--bcher-kva.example"] },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: data(3) } },
        ReplacementHeaders: [{ Name: "X-Notify-Delivery-Id", Value: "dlv_ses_b3" }],
      },
    ]);
  });

  it("puts only the parts the batch's messages have into the template, and writes a non-ASCII sender name as encoded-words", async () => {
    server.use(sendBulk(BULK_URL));
    await ses().sendBatch([row(1, { html: undefined, replyTo: [], from: { email: "noreply@notify.example", name: "Équipe Notify" } })]);
    const { body } = bulk[0]!;
    expect(body.DefaultContent.Template.TemplateContent).toEqual({ Subject: "{{{subject}}}", Text: "{{{text}}}" });
    expect(body.FromEmailAddress).toBe("=?UTF-8?B?w4lxdWlwZSBOb3RpZnk=?= <noreply@notify.example>");
    expect(body).not.toHaveProperty("ReplyToAddresses");
    expect(body).not.toHaveProperty("ConfigurationSetName");
    expect(JSON.parse(body.BulkEmailEntries[0]!.ReplacementEmailContent.ReplacementTemplate.ReplacementTemplateData)).toEqual({ subject: "Résultat n° 1 & suite", text: "Row 1" });
  });

  it("maps each entry's status: SUCCESS, a rejection (permanent), throttling (retryable), a sender problem (configuration)", async () => {
    server.use(sendBulk(BULK_URL));
    const results = await ses().sendBatch([row(1), row(2, { to: ["virus@example.com"] })]);
    expect(results[0]).toEqual({ ok: true, outcome: { providerMessageId: "0100018c-bulk-0", status: "delivered" } });
    expect(results[1]).toMatchObject({ ok: false, error: { name: "ProviderError", provider: "ses", kind: "permanent", providerCode: "MESSAGE_REJECTED", message: "ses: MESSAGE_REJECTED: Message contains a virus" } });

    const statuses = ["ACCOUNT_THROTTLED", "TRANSIENT_FAILURE", "ACCOUNT_DAILY_QUOTA_EXCEEDED", "MAIL_FROM_DOMAIN_NOT_VERIFIED", "CONFIGURATION_SET_NOT_FOUND", "ACCOUNT_SENDING_PAUSED", "INVALID_PARAMETER", "FAILED"];
    server.use(http.post(BULK_URL, () => HttpResponse.json({ BulkEmailEntryResults: statuses.map((Status) => ({ Status, Error: "refused" })) })));
    const kinds = (await ses().sendBatch(statuses.map((_, i) => row(i)))).map((r) => (r.ok ? "ok" : [r.error.providerCode, r.error.kind]));
    expect(kinds).toEqual([
      ["ACCOUNT_THROTTLED", "retryable"],
      ["TRANSIENT_FAILURE", "retryable"],
      ["ACCOUNT_DAILY_QUOTA_EXCEEDED", "retryable"],
      ["MAIL_FROM_DOMAIN_NOT_VERIFIED", "configuration"],
      ["CONFIGURATION_SET_NOT_FOUND", "configuration"],
      ["ACCOUNT_SENDING_PAUSED", "configuration"],
      ["INVALID_PARAMETER", "permanent"],
      ["FAILED", "permanent"],
    ]);
  });

  it("throws a failure of the whole call: 5xx retryable, refused credentials configuration, throttling retryable", async () => {
    server.use(http.post(BULK_URL, () => sesError(500, "InternalFailure", "Internal failure"), { once: true }));
    await expect(ses().sendBatch([row(1), row(2)])).rejects.toMatchObject({ name: "ProviderError", kind: "retryable", httpStatus: 500 });
    server.use(http.post(BULK_URL, () => sesError(429, "TooManyRequestsException", "Maximum sending rate exceeded.", { "retry-after": "3" }), { once: true }));
    await expect(ses().sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 3 });
    server.use(sendBulk(BULK_URL));
    const err = (await ses({ secretAccessKey: "wrong-secret" })
      .sendBatch([row(1), row(2)])
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 403, providerCode: "InvalidSignatureException" });
    expect(err.message).not.toContain("wrong-secret");
  });

  it("throws unknown (not retried) when an accepted call does not answer for every entry", async () => {
    server.use(http.post(BULK_URL, () => HttpResponse.json({ BulkEmailEntryResults: [{ Status: "SUCCESS", MessageId: "m-1" }] })));
    await expect(ses().sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "unknown" });
  });

  it("uses SES_ENDPOINT as the base URL (the local sink)", async () => {
    const sink = "http://127.0.0.1:8787/dev/sink/ses/v2/email/outbound-bulk-emails";
    server.use(sendBulk(sink));
    await ses({ endpoint: "http://127.0.0.1:8787/dev/sink/ses/" }).sendBatch([row(1)]);
    expect(bulk[0]!.url).toBe(sink);
  });

  it("batchKey: sender, reply-to and the parts present; null for attachments, oversized parts or headers bulk cannot carry", () => {
    const provider = ses();
    expect(provider.maxBatchSize).toBe(50);
    const key = provider.batchKey(row(1));
    expect(key).toBe(JSON.stringify(["Notify Team <noreply@notify.example>", ["Help <help@notify.example>"], true, true]));
    // Recipients, subject, bodies and headers are per entry.
    expect(provider.batchKey(row(2, { to: ["x@example.com"], cc: ["y@example.com"], subject: "Other", html: "<p>Other</p>" }))).toBe(key);
    // One sender, one reply-to list and one template per call.
    expect(provider.batchKey(row(1, { from: { email: "noreply@notify.example", name: "Other Team" } }))).not.toBe(key);
    expect(provider.batchKey(row(1, { replyTo: [] }))).not.toBe(key);
    expect(provider.batchKey(row(1, { html: undefined }))).not.toBe(key);
    expect(provider.batchKey(row(1, { text: undefined }))).not.toBe(key);
    expect(provider.batchKey(row(1, { html: undefined }))).not.toBe(provider.batchKey(row(1, { text: undefined })));

    expect(provider.batchKey(message)).toBeNull();
    expect(provider.batchKey(row(1, { html: "x".repeat(262_144) }))).toBeNull();
    expect(provider.batchKey(row(1, { headers: { "List-Unsubscribe": "<https://notify.example/u/é>" } }))).toBeNull();
    expect(provider.batchKey(row(1, { headers: { "List-Unsubscribe": `<https://notify.example/u/${"t".repeat(860)}>` } }))).toBeNull();
  });
});
