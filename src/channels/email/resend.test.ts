import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailMessage } from "../types";
import { batchIdempotencyKey, ResendEmailProvider } from "./resend";

const API_KEY = "re_test_do_not_leak";
const EMAILS_URL = "https://api.resend.com/emails";

const message: EmailMessage = {
  deliveryId: "dlv_rs_1",
  from: { email: "noreply@notify.example", name: "Notify Team" },
  replyTo: [{ email: "help@notify.example", name: "Help" }, { email: "audit@notify.example" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net"],
  subject: "Votre dossier ✓",
  text: "Bonjour Ada",
  html: "<p>Bonjour <b>Ada</b></p>",
  attachments: [{ filename: "dossier.pdf", contentType: "application/pdf", content: Uint8Array.from([37, 80, 68, 70]) }],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

let received: { method: string; url: string; contentType: string | null; idempotencyKey: string | null; body: Record<string, unknown> }[] = [];

/** Resend's documented error document. */
const resendError = (statusCode: number, name: string, text: string, headers: Record<string, string> = {}) =>
  HttpResponse.json({ statusCode, name, message: text }, { status: statusCode, headers });

/**
 * A fake POST /emails that behaves as Resend documents: Bearer key (401 missing_api_key /
 * 403 invalid_api_key), required from/to/subject (422), and idempotency — a repeated key answers
 * the first call's id without sending again.
 */
const sentByKey = new Map<string, string>();
const emails = http.post(EMAILS_URL, async ({ request }) => {
  const auth = request.headers.get("authorization");
  if (!auth) return resendError(401, "missing_api_key", "Missing API key in the authorization header.");
  if (auth !== `Bearer ${API_KEY}`) return resendError(403, "invalid_api_key", "API key is invalid");
  const body = (await request.json()) as Record<string, unknown>;
  if (!body.from || !body.to || !body.subject) return resendError(422, "missing_required_field", "Missing `to` field.");
  const key = request.headers.get("idempotency-key");
  const earlier = key ? sentByKey.get(key) : undefined;
  if (earlier) return HttpResponse.json({ id: earlier });
  const id = `49a3999c-0ce1-4ea6-ab68-afcd6dc2e79${received.length}`;
  if (key) sentByKey.set(key, id);
  received.push({ method: request.method, url: request.url, contentType: request.headers.get("content-type"), idempotencyKey: key, body });
  return HttpResponse.json({ id });
});

const server = setupServer(emails);
const resend = (config: Partial<ConstructorParameters<typeof ResendEmailProvider>[0]> = {}) => new ResendEmailProvider({ apiKey: API_KEY, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
  sentByKey.clear();
});
afterAll(() => server.close());

describe("ResendEmailProvider", () => {
  it("POSTs /emails with the Bearer key and our delivery id as Idempotency-Key, and maps id", async () => {
    const outcome = await resend().send(message);

    expect(outcome).toEqual({ providerMessageId: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e790", status: "delivered" });
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe(EMAILS_URL);
    expect(req!.contentType).toBe("application/json");
    expect(req!.idempotencyKey).toBe("dlv_rs_1");
    expect(req!.body).toEqual({
      from: "Notify Team <noreply@notify.example>",
      to: ["ada@example.com", "grace@example.org"],
      cc: ["boss@example.com"],
      bcc: ["hidden@example.net"],
      reply_to: ["Help <help@notify.example>", "audit@notify.example"],
      subject: "Votre dossier ✓",
      html: "<p>Bonjour <b>Ada</b></p>",
      text: "Bonjour Ada",
      attachments: [{ filename: "dossier.pdf", content: "JVBERg==", content_type: "application/pdf" }],
      headers: { "X-Notify-Delivery-Id": "dlv_rs_1" },
    });
  });

  it("a retried delivery gets the first call's id and no second email", async () => {
    const first = await resend().send(message);
    const retry = await resend().send(message);
    expect(retry).toEqual(first);
    expect(received).toHaveLength(1);
  });

  it("leaves out empty cc, bcc, reply-to, attachments and bodies", async () => {
    await resend().send({ ...message, cc: [], bcc: [], replyTo: [], html: undefined, attachments: [] });
    expect(Object.keys(received[0]!.body).sort()).toEqual(["from", "headers", "subject", "text", "to"]);
  });

  it("uses RESEND_API_URL as the base", async () => {
    server.use(http.post("http://127.0.0.1:8787/dev/sink/resend/emails", () => HttpResponse.json({ id: "local-1" })));
    await expect(resend({ baseUrl: "http://127.0.0.1:8787/dev/sink/resend" }).send(message)).resolves.toEqual({ providerMessageId: "local-1", status: "delivered" });
  });

  it("maps a 422 to permanent with Resend's type and message", async () => {
    server.use(http.post(EMAILS_URL, () => resendError(422, "validation_error", "Invalid `to` field. The email address needs to follow the `email@example.com` format.")));
    await expect(resend().send(message)).rejects.toMatchObject({
      name: "ProviderError",
      provider: "resend",
      kind: "permanent",
      httpStatus: 422,
      providerCode: "validation_error",
      message: "resend: Invalid `to` field. The email address needs to follow the `email@example.com` format.",
    });
  });

  it("maps a refused key (401 restricted_api_key, 403 invalid_api_key) to configuration without echoing it", async () => {
    server.use(http.post(EMAILS_URL, () => resendError(401, "restricted_api_key", "This API key is restricted to only send emails."), { once: true }));
    await expect(resend().send(message)).rejects.toMatchObject({ kind: "configuration", httpStatus: 401, providerCode: "restricted_api_key" });
    const err = (await resend({ apiKey: "re_wrong" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 403, providerCode: "invalid_api_key" });
    expect(err.message).not.toContain("re_wrong");
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(EMAILS_URL, () => resendError(429, "rate_limit_exceeded", "Too many requests.", { "retry-after": "2" })));
    await expect(resend().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 2, providerCode: "rate_limit_exceeded" });
  });

  it("maps a key still in flight (409 concurrent_idempotent_requests) to retryable, a reused key with another payload to permanent", async () => {
    server.use(http.post(EMAILS_URL, () => resendError(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress."), { once: true }));
    await expect(resend().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 409, mayHaveAccepted: true });
    server.use(http.post(EMAILS_URL, () => resendError(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.")));
    await expect(resend().send(message)).rejects.toMatchObject({ kind: "permanent", httpStatus: 409 });
  });

  it("maps 5xx to retryable", async () => {
    server.use(http.post(EMAILS_URL, () => resendError(500, "internal_server_error", "An unexpected error occurred.")));
    await expect(resend().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500 });
  });

  it("maps a network failure to retryable", async () => {
    server.use(http.post(EMAILS_URL, () => HttpResponse.error()));
    await expect(resend().send(message)).rejects.toMatchObject({ kind: "retryable", message: "resend: network error" });
  });

  it("passes the signal to fetch: a timeout is retryable, since the idempotency key makes asking again safe", async () => {
    server.use(http.post(EMAILS_URL, () => delay("infinite")));
    await expect(resend().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "retryable", message: "resend: request timed out", mayHaveAccepted: true });
  });
});

describe("ResendEmailProvider: one-click unsubscribe", () => {
  it("sends List-Unsubscribe and List-Unsubscribe-Post in `headers`", async () => {
    await resend().send({ ...message, headers: UNSUBSCRIBE });
    expect(received[0]!.body.headers).toEqual({ "X-Notify-Delivery-Id": message.deliveryId, ...UNSUBSCRIBE });
  });
});

describe("ResendEmailProvider: batch (mail merges)", () => {
  const BATCH_URL = "https://api.resend.com/emails/batch";
  const row = (n: number, extra: Partial<EmailMessage> = {}): EmailMessage => ({
    deliveryId: `dlv_rs_b${n}`,
    from: { email: "noreply@notify.example", name: "Notify Team" },
    replyTo: [],
    to: [`row${n}@example.com`],
    cc: [],
    bcc: [],
    subject: `Bonjour ${n}`,
    html: `<p>Row ${n}</p>`,
    attachments: [],
    ...extra,
  });

  let batches: { url: string; method: string; authorization: string | null; contentType: string | null; idempotencyKey: string | null; validation: string | null; body: Record<string, unknown>[] }[] = [];
  const answered = new Map<string, { data: { id: string }[]; errors?: { index: number; message: string }[] }>();
  /**
   * A fake POST /emails/batch as Resend documents it: Bearer key, a JSON array of at most 100
   * emails, `x-batch-validation: permissive` creating the valid ones and listing the others by
   * index (a `to` without "@" is invalid here), and a repeated Idempotency-Key answering the
   * first call's answer without sending again.
   */
  const batch = http.post(BATCH_URL, async ({ request }) => {
    if (request.headers.get("authorization") !== `Bearer ${API_KEY}`) return resendError(403, "invalid_api_key", "API key is invalid");
    const key = request.headers.get("idempotency-key");
    const earlier = key ? answered.get(key) : undefined;
    if (earlier) return HttpResponse.json(earlier);
    const body = (await request.json()) as Record<string, unknown>[];
    if (!Array.isArray(body) || body.length > 100) return resendError(422, "validation_error", "Too many emails");
    const invalid = body.flatMap((e, index) => ((e.to as string[]).every((to) => to.includes("@")) ? [] : [{ index, message: "Invalid `to` field." }]));
    const permissive = request.headers.get("x-batch-validation") === "permissive";
    if (invalid.length && !permissive) return resendError(422, "validation_error", invalid[0]!.message);
    batches.push({
      url: request.url,
      method: request.method,
      authorization: request.headers.get("authorization"),
      contentType: request.headers.get("content-type"),
      idempotencyKey: key,
      validation: request.headers.get("x-batch-validation"),
      body,
    });
    const answer = {
      data: body.flatMap((_, index) => (invalid.some((e) => e.index === index) ? [] : [{ id: `rs-batch-${batches.length}-${index}` }])),
      ...(permissive ? { errors: invalid } : {}),
    };
    if (key) answered.set(key, answer);
    return HttpResponse.json(answer);
  });
  afterEach(() => {
    batches = [];
    answered.clear();
  });

  it("POSTs /emails/batch with the Bearer key, permissive validation and a key derived from the delivery ids", async () => {
    server.use(batch);
    const messages = [row(1, { headers: UNSUBSCRIBE }), row(2, { replyTo: [{ email: "help@notify.example", name: "Help" }], cc: ["boss@example.com"] }), row(3, { html: undefined, text: "Row 3" })];
    const results = await resend().sendBatch(messages);

    expect(results).toEqual([0, 1, 2].map((i) => ({ ok: true, outcome: { providerMessageId: `rs-batch-1-${i}`, status: "delivered" } })));
    const [call] = batches;
    expect(call).toMatchObject({ url: BATCH_URL, method: "POST", authorization: `Bearer ${API_KEY}`, contentType: "application/json", validation: "permissive" });
    expect(call!.idempotencyKey).toBe(await batchIdempotencyKey(["dlv_rs_b1", "dlv_rs_b2", "dlv_rs_b3"]));
    expect(call!.idempotencyKey).toMatch(/^batch\/[0-9a-f]{64}$/);
    expect(call!.body).toEqual([
      {
        from: "Notify Team <noreply@notify.example>",
        to: ["row1@example.com"],
        subject: "Bonjour 1",
        html: "<p>Row 1</p>",
        headers: { "X-Notify-Delivery-Id": "dlv_rs_b1", ...UNSUBSCRIBE },
      },
      {
        from: "Notify Team <noreply@notify.example>",
        to: ["row2@example.com"],
        cc: ["boss@example.com"],
        reply_to: ["Help <help@notify.example>"],
        subject: "Bonjour 2",
        html: "<p>Row 2</p>",
        headers: { "X-Notify-Delivery-Id": "dlv_rs_b2" },
      },
      { from: "Notify Team <noreply@notify.example>", to: ["row3@example.com"], subject: "Bonjour 3", text: "Row 3", headers: { "X-Notify-Delivery-Id": "dlv_rs_b3" } },
    ]);
  });

  it("the idempotency key stays within Resend's 256 characters for 100 messages, and changes with the batch", async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `dlv_${"x".repeat(30)}_${i}`);
    const key = await batchIdempotencyKey(ids);
    expect(key.length).toBeLessThanOrEqual(256);
    expect(await batchIdempotencyKey(ids)).toBe(key);
    expect(await batchIdempotencyKey(ids.slice(1))).not.toBe(key);
  });

  it("a retried batch gets the first call's ids and sends nothing twice", async () => {
    server.use(batch);
    const first = await resend().sendBatch([row(1), row(2)]);
    const retry = await resend().sendBatch([row(1), row(2)]);
    expect(retry).toEqual(first);
    expect(batches).toHaveLength(1);
  });

  it("maps an email listed in `errors` to its own permanent failure, and the others to their ids in order", async () => {
    server.use(batch);
    const results = await resend().sendBatch([row(1), row(2, { to: ["not-an-address"] }), row(3)]);
    expect(results).toEqual([
      { ok: true, outcome: { providerMessageId: "rs-batch-1-0", status: "delivered" } },
      { ok: false, error: expect.objectContaining({ name: "ProviderError", provider: "resend", kind: "permanent", message: "resend: Invalid `to` field." }) },
      { ok: true, outcome: { providerMessageId: "rs-batch-1-2", status: "delivered" } },
    ]);
  });

  it("leaves out ids it cannot match to their emails, still reporting them sent", async () => {
    server.use(http.post(BATCH_URL, () => HttpResponse.json({ data: [{ id: "only-one" }] })));
    expect(await resend().sendBatch([row(1), row(2)])).toEqual([
      { ok: true, outcome: { status: "delivered" } },
      { ok: true, outcome: { status: "delivered" } },
    ]);
  });

  it("throws a failure of the whole call: 5xx and 429 retryable, a refused key configuration", async () => {
    server.use(http.post(BATCH_URL, () => resendError(500, "internal_server_error", "An unexpected error occurred."), { once: true }));
    await expect(resend().sendBatch([row(1), row(2)])).rejects.toMatchObject({ name: "ProviderError", kind: "retryable", httpStatus: 500 });
    server.use(http.post(BATCH_URL, () => resendError(429, "rate_limit_exceeded", "Too many requests.", { "retry-after": "1" }), { once: true }));
    await expect(resend().sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 1 });
    server.use(batch);
    await expect(resend({ apiKey: "re_wrong" }).sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "configuration", httpStatus: 403 });
  });

  it("a timeout is an unknown outcome: its messages are retried one by one, never as the same batch, so the batch key would not protect them", async () => {
    server.use(http.post(BATCH_URL, () => delay("infinite")));
    await expect(resend().sendBatch([row(1), row(2)], AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", mayHaveAccepted: true });
  });

  it("batchKey: one key for every message, null with attachments (the batch endpoint takes none)", () => {
    const provider = resend();
    expect(provider.maxBatchSize).toBe(100);
    expect(provider.batchKey(row(1))).toBe("resend");
    expect(provider.batchKey(row(2, { from: { email: "other@notify.example" }, cc: ["boss@example.com"] }))).toBe("resend");
    expect(provider.batchKey(message)).toBeNull();
  });
});
