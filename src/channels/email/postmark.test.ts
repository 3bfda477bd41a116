import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailMessage } from "../types";
import { PostmarkEmailProvider } from "./postmark";

const TOKEN = "postmark-server-token-do-not-leak";
const EMAIL_URL = "https://api.postmarkapp.com/email";

const message: EmailMessage = {
  deliveryId: "dlv_pm_1",
  from: { email: "noreply@notify.example", name: "Notify Team" },
  replyTo: [{ email: "help@notify.example", name: "Help" }, { email: "audit@notify.example" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net", "archive@example.net"],
  subject: "Votre dossier ✓",
  text: "Bonjour Ada",
  html: "<p>Bonjour <b>Ada</b></p>",
  attachments: [{ filename: "dossier.pdf", contentType: "application/pdf", content: Uint8Array.from([37, 80, 68, 70]) }],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

let received: { method: string; url: string; contentType: string | null; accept: string | null; body: Record<string, unknown> }[] = [];

/** Postmark's error document: HTTP 401 or 422 with an ErrorCode and Message. */
const postmarkError = (status: number, code: number, text: string, headers: Record<string, string> = {}) =>
  HttpResponse.json({ ErrorCode: code, Message: text }, { status, headers });

/**
 * A fake POST /email: the server token in X-Postmark-Server-Token (401 / ErrorCode 10 otherwise),
 * JSON with From, To, Subject and a body (422 / ErrorCode 300 otherwise); answers the documented 200.
 */
const email = http.post(EMAIL_URL, async ({ request }) => {
  if (request.headers.get("x-postmark-server-token") !== TOKEN) return postmarkError(401, 10, "Request does not contain a valid Server token.");
  const body = (await request.json()) as Record<string, unknown>;
  if (!body.From || !body.To || !body.Subject) return postmarkError(422, 300, "Invalid email request");
  if (!body.TextBody && !body.HtmlBody) return postmarkError(422, 300, "Provide either email TextBody or HtmlBody or both.");
  received.push({ method: request.method, url: request.url, contentType: request.headers.get("content-type"), accept: request.headers.get("accept"), body });
  return HttpResponse.json({ To: body.To, SubmittedAt: "2026-11-22T13:00:00.0000000Z", MessageID: "b7bc2f4a-e38e-4336-af7d-e6c392c2f817", ErrorCode: 0, Message: "OK" });
});

const server = setupServer(email);
const postmark = (config: Partial<ConstructorParameters<typeof PostmarkEmailProvider>[0]> = {}) => new PostmarkEmailProvider({ serverToken: TOKEN, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("PostmarkEmailProvider", () => {
  it("POSTs /email with the server token and comma-separated recipients, and maps MessageID", async () => {
    const outcome = await postmark().send(message);

    expect(outcome).toEqual({ providerMessageId: "b7bc2f4a-e38e-4336-af7d-e6c392c2f817", status: "delivered" });
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe(EMAIL_URL);
    expect(req!.contentType).toBe("application/json");
    expect(req!.accept).toBe("application/json");
    expect(req!.body).toEqual({
      From: "Notify Team <noreply@notify.example>",
      To: "ada@example.com,grace@example.org",
      Cc: "boss@example.com",
      Bcc: "hidden@example.net,archive@example.net",
      Subject: "Votre dossier ✓",
      TextBody: "Bonjour Ada",
      HtmlBody: "<p>Bonjour <b>Ada</b></p>",
      ReplyTo: "Help <help@notify.example>,audit@notify.example",
      Headers: [{ Name: "X-Notify-Delivery-Id", Value: "dlv_pm_1" }],
      MessageStream: "outbound",
      Attachments: [{ Name: "dossier.pdf", Content: "JVBERg==", ContentType: "application/pdf" }],
    });
  });

  it("sends the configured message stream and leaves out what is empty", async () => {
    await postmark({ messageStream: "notifications" }).send({ ...message, cc: [], bcc: [], replyTo: [], text: undefined, attachments: [] });
    expect(Object.keys(received[0]!.body).sort()).toEqual(["From", "Headers", "HtmlBody", "MessageStream", "Subject", "To"]);
    expect(received[0]!.body.MessageStream).toBe("notifications");
  });

  it("uses POSTMARK_API_URL as the base", async () => {
    server.use(http.post("http://127.0.0.1:8787/dev/sink/postmark/email", () => HttpResponse.json({ MessageID: "local-1", ErrorCode: 0, Message: "OK" })));
    await expect(postmark({ baseUrl: "http://127.0.0.1:8787/dev/sink/postmark/" }).send(message)).resolves.toEqual({ providerMessageId: "local-1", status: "delivered" });
  });

  it("maps ErrorCode 300 (invalid email request) and 406 (inactive recipient) to permanent", async () => {
    for (const [code, text] of [
      [300, "Error parsing 'To': Illegal email address 'ada@example'."],
      [406, "You tried to send to recipient(s) that have been marked as inactive."],
    ] as const) {
      server.use(http.post(EMAIL_URL, () => postmarkError(422, code, text), { once: true }));
      await expect(postmark().send(message)).rejects.toMatchObject({
        name: "ProviderError",
        provider: "postmark",
        kind: "permanent",
        httpStatus: 422,
        providerCode: String(code),
        message: `postmark: ${text}`,
      });
    }
  });

  it("maps sender and account codes (400, 401, 412, …) to configuration although the status is 422", async () => {
    for (const code of [400, 401, 405, 412, 413]) {
      server.use(http.post(EMAIL_URL, () => postmarkError(422, code, "refused"), { once: true }));
      await expect(postmark().send(message)).rejects.toMatchObject({ kind: "configuration", httpStatus: 422, providerCode: String(code) });
    }
  });

  it("maps a bad server token (401, ErrorCode 10) to configuration without echoing it", async () => {
    const err = (await postmark({ serverToken: "wrong-token" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401, providerCode: "10" });
    expect(err.message).not.toContain("wrong-token");
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(EMAIL_URL, () => postmarkError(429, 429, "Rate limit exceeded", { "retry-after": "20" })));
    await expect(postmark().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 20, providerCode: "429" });
  });

  it("maps 5xx to retryable, whatever ErrorCode comes with it", async () => {
    server.use(http.post(EMAIL_URL, () => postmarkError(500, 300, "Internal server error"), { once: true }));
    await expect(postmark().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500 });
    server.use(http.post(EMAIL_URL, () => postmarkError(503, 100, "Maintenance")));
    await expect(postmark().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 503 });
  });

  it("maps a network failure to retryable", async () => {
    server.use(http.post(EMAIL_URL, () => HttpResponse.error()));
    await expect(postmark().send(message)).rejects.toMatchObject({ kind: "retryable", message: "postmark: network error" });
  });

  it("passes the signal to fetch: a timeout is an unknown outcome, not retried", async () => {
    server.use(http.post(EMAIL_URL, () => delay("infinite")));
    await expect(postmark().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "postmark: request timed out; the provider may have accepted it" });
  });
});

describe("PostmarkEmailProvider: one-click unsubscribe", () => {
  it("sends List-Unsubscribe and List-Unsubscribe-Post in Headers", async () => {
    await postmark().send({ ...message, headers: UNSUBSCRIBE });
    expect(received[0]!.body.Headers).toEqual([
      { Name: "X-Notify-Delivery-Id", Value: message.deliveryId },
      { Name: "List-Unsubscribe", Value: UNSUBSCRIBE["List-Unsubscribe"] },
      { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
    ]);
  });
});

describe("PostmarkEmailProvider: batch (mail merges)", () => {
  const BATCH_URL = "https://api.postmarkapp.com/email/batch";
  const row = (n: number, extra: Partial<EmailMessage> = {}): EmailMessage => ({
    deliveryId: `dlv_pm_b${n}`,
    from: { email: "noreply@notify.example", name: "Notify Team" },
    replyTo: [],
    to: [`row${n}@example.com`],
    cc: [],
    bcc: [],
    subject: `Bonjour ${n}`,
    html: `<p>Row ${n}</p>`,
    text: `Row ${n}`,
    attachments: [],
    headers: UNSUBSCRIBE,
    ...extra,
  });

  let batches: { url: string; method: string; token: string | null; contentType: string | null; accept: string | null; body: Record<string, unknown>[] }[] = [];
  /** A fake POST /email/batch: 200 with one result per message, refusing the messages to `bad@…` with ErrorCode 300. */
  const batch = http.post(BATCH_URL, async ({ request }) => {
    if (request.headers.get("x-postmark-server-token") !== TOKEN) return postmarkError(401, 10, "Request does not contain a valid Server token.");
    const body = (await request.json()) as Record<string, unknown>[];
    if (!Array.isArray(body) || body.length > 500) return postmarkError(422, 300, "Invalid email request");
    batches.push({
      url: request.url,
      method: request.method,
      token: request.headers.get("x-postmark-server-token"),
      contentType: request.headers.get("content-type"),
      accept: request.headers.get("accept"),
      body,
    });
    return HttpResponse.json(
      body.map((m, i) =>
        String(m.To).startsWith("bad@")
          ? { ErrorCode: 300, Message: `Error parsing 'To': Illegal email address '${String(m.To)}'.` }
          : { ErrorCode: 0, Message: "OK", MessageID: `pm-batch-${i}`, SubmittedAt: "2026-11-22T13:00:00Z", To: m.To },
      ),
    );
  });
  afterEach(() => {
    batches = [];
  });

  it("POSTs /email/batch with the server token: a JSON array of the same message objects as /email", async () => {
    server.use(batch);
    const messages = [row(1), row(2, { replyTo: [{ email: "help@notify.example", name: "Help" }], html: undefined }), row(3, { cc: ["boss@example.com"] })];
    const results = await postmark({ messageStream: "broadcasts" }).sendBatch(messages);

    expect(results).toEqual([0, 1, 2].map((i) => ({ ok: true, outcome: { providerMessageId: `pm-batch-${i}`, status: "delivered" } })));
    expect(batches).toHaveLength(1);
    const [call] = batches;
    expect(call).toMatchObject({ url: BATCH_URL, method: "POST", token: TOKEN, contentType: "application/json", accept: "application/json" });
    const headers = (n: number) => [
      { Name: "X-Notify-Delivery-Id", Value: `dlv_pm_b${n}` },
      { Name: "List-Unsubscribe", Value: UNSUBSCRIBE["List-Unsubscribe"] },
      { Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click" },
    ];
    expect(call!.body).toEqual([
      { From: "Notify Team <noreply@notify.example>", To: "row1@example.com", Subject: "Bonjour 1", TextBody: "Row 1", HtmlBody: "<p>Row 1</p>", Headers: headers(1), MessageStream: "broadcasts" },
      { From: "Notify Team <noreply@notify.example>", To: "row2@example.com", Subject: "Bonjour 2", TextBody: "Row 2", ReplyTo: "Help <help@notify.example>", Headers: headers(2), MessageStream: "broadcasts" },
      { From: "Notify Team <noreply@notify.example>", To: "row3@example.com", Cc: "boss@example.com", Subject: "Bonjour 3", TextBody: "Row 3", HtmlBody: "<p>Row 3</p>", Headers: headers(3), MessageStream: "broadcasts" },
    ]);
  });

  it("maps a per-message ErrorCode to that message's failure: permanent, or the listed kind", async () => {
    server.use(batch);
    const results = await postmark().sendBatch([row(1), row(2, { to: ["bad@example"] }), row(3)]);
    expect(results[0]).toEqual({ ok: true, outcome: { providerMessageId: "pm-batch-0", status: "delivered" } });
    expect(results[1]).toMatchObject({ ok: false, error: { name: "ProviderError", provider: "postmark", kind: "permanent", providerCode: "300", message: "postmark: Error parsing 'To': Illegal email address 'bad@example'." } });
    expect(results[2]).toEqual({ ok: true, outcome: { providerMessageId: "pm-batch-2", status: "delivered" } });

    server.use(
      http.post(BATCH_URL, () =>
        HttpResponse.json([
          { ErrorCode: 406, Message: "You tried to send to recipient(s) that have been marked as inactive." },
          { ErrorCode: 429, Message: "Rate limit exceeded" },
          { ErrorCode: 401, Message: "Sender signature not confirmed" },
        ]),
      ),
    );
    const kinds = (await postmark().sendBatch([row(1), row(2), row(3)])).map((r) => (r.ok ? "ok" : [r.error.kind, r.error.providerCode]));
    expect(kinds).toEqual([
      ["permanent", "406"],
      ["retryable", "429"],
      ["configuration", "401"],
    ]);
  });

  it("throws a failure of the whole call: 5xx retryable, a bad token configuration", async () => {
    server.use(http.post(BATCH_URL, () => postmarkError(503, 100, "Maintenance"), { once: true }));
    await expect(postmark().sendBatch([row(1), row(2)])).rejects.toMatchObject({ name: "ProviderError", kind: "retryable", httpStatus: 503 });
    server.use(batch);
    await expect(postmark({ serverToken: "wrong-token" }).sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "configuration", httpStatus: 401, providerCode: "10" });
  });

  it("throws unknown (not retried) when an accepted call does not answer for every message", async () => {
    server.use(http.post(BATCH_URL, () => HttpResponse.json([{ ErrorCode: 0, Message: "OK", MessageID: "only-one" }])));
    await expect(postmark().sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "unknown" });
  });

  it("batchKey: one key for every message, null with attachments or past a 500th of the 50 MB call", () => {
    const provider = postmark();
    expect(provider.maxBatchSize).toBe(500);
    expect(provider.batchKey(row(1))).toBe("postmark");
    expect(provider.batchKey(row(2, { from: { email: "other@notify.example" }, cc: ["boss@example.com"] }))).toBe("postmark");
    expect(provider.batchKey(message)).toBeNull();
    expect(provider.batchKey(row(3, { html: `<p>${"x".repeat(99_000)}</p>` }))).toBe("postmark");
    expect(provider.batchKey(row(3, { html: `<p>${"x".repeat(100_000)}</p>` }))).toBeNull();
  });
});
