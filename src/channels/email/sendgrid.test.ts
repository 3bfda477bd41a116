import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmailMessage } from "../types";
import { SendGridEmailProvider } from "./sendgrid";

const API_KEY = "SG.test-key.do-not-leak";
const MAIL_SEND = "https://api.sendgrid.com/v3/mail/send";

const message: EmailMessage = {
  deliveryId: "dlv_sg_1",
  from: { email: "noreply@notify.example", name: "Notify Team" },
  replyTo: [{ email: "help@notify.example", name: "Help" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net"],
  subject: "Votre dossier ✓",
  text: "Bonjour Ada",
  html: "<p>Bonjour <b>Ada</b></p>",
  attachments: [{ filename: "dossier.pdf", contentType: "application/pdf", content: Uint8Array.from([37, 80, 68, 70]) }],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

let received: { method: string; url: string; contentType: string | null; body: Record<string, any> }[] = [];

/** SendGrid's documented error document. */
const sendGridError = (status: number, errors: { message: string; field?: string | null }[], headers: Record<string, string> = {}) =>
  HttpResponse.json({ errors: errors.map((e) => ({ field: null, help: null, ...e })) }, { status, headers });

/**
 * A fake Mail Send: Bearer key, JSON, and the documented rules a real request must meet
 * (a personalization with `to`, `from.email`, text/plain before text/html, never both
 * reply_to and reply_to_list); answers 202 with an empty body and X-Message-Id.
 */
const mailSend = http.post(MAIL_SEND, async ({ request }) => {
  if (request.headers.get("authorization") !== `Bearer ${API_KEY}`) {
    return sendGridError(401, [{ message: "The provided authorization grant is invalid, expired, or revoked" }]);
  }
  const body = (await request.json()) as Record<string, any>;
  const types = (body.content ?? []).map((c: { type: string }) => c.type);
  if (!body.personalizations?.[0]?.to?.length) return sendGridError(400, [{ message: "The to array is required.", field: "personalizations.0.to" }]);
  if (!body.from?.email) return sendGridError(400, [{ message: "The from object must be provided.", field: "from" }]);
  if (types.includes("text/html") && types.includes("text/plain") && types[0] !== "text/plain") {
    return sendGridError(400, [{ message: "text/plain must be the first content type", field: "content" }]);
  }
  if (body.reply_to && body.reply_to_list) return sendGridError(400, [{ message: "reply_to and reply_to_list are mutually exclusive", field: "reply_to" }]);
  received.push({ method: request.method, url: request.url, contentType: request.headers.get("content-type"), body });
  return new HttpResponse(null, { status: 202, headers: { "x-message-id": "sg-msg-id-0001" } });
});

const server = setupServer(mailSend);
const sendgrid = (config: Partial<ConstructorParameters<typeof SendGridEmailProvider>[0]> = {}) => new SendGridEmailProvider({ apiKey: API_KEY, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("SendGridEmailProvider", () => {
  it("POSTs a v3 Mail Send with one personalization and maps the 202's X-Message-Id", async () => {
    const outcome = await sendgrid().send(message);

    expect(outcome).toEqual({ providerMessageId: "sg-msg-id-0001", status: "delivered" });
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe(MAIL_SEND);
    expect(req!.contentType).toBe("application/json");
    expect(req!.body).toEqual({
      personalizations: [
        {
          to: [{ email: "ada@example.com" }, { email: "grace@example.org" }],
          cc: [{ email: "boss@example.com" }],
          bcc: [{ email: "hidden@example.net" }],
        },
      ],
      from: { email: "noreply@notify.example", name: "Notify Team" },
      reply_to: { email: "help@notify.example", name: "Help" },
      subject: "Votre dossier ✓",
      content: [
        { type: "text/plain", value: "Bonjour Ada" },
        { type: "text/html", value: "<p>Bonjour <b>Ada</b></p>" },
      ],
      attachments: [{ content: "JVBERg==", type: "application/pdf", filename: "dossier.pdf", disposition: "attachment" }],
      headers: { "X-Notify-Delivery-Id": "dlv_sg_1" },
    });
  });

  it("uses reply_to_list for several reply-to addresses, and leaves out what is empty", async () => {
    await sendgrid().send({ ...message, replyTo: [{ email: "a@notify.example", name: "A" }, { email: "b@notify.example" }], cc: [], bcc: [], attachments: [] });
    const { body } = received[0]!;
    expect(body.reply_to_list).toEqual([{ email: "a@notify.example", name: "A" }, { email: "b@notify.example" }]);
    expect(body).not.toHaveProperty("reply_to");
    expect(body).not.toHaveProperty("attachments");
    expect(body.personalizations).toEqual([{ to: [{ email: "ada@example.com" }, { email: "grace@example.org" }] }]);

    await sendgrid().send({ ...message, replyTo: [], text: undefined });
    expect(received[1]!.body).not.toHaveProperty("reply_to");
    expect(received[1]!.body).not.toHaveProperty("reply_to_list");
    expect(received[1]!.body.content).toEqual([{ type: "text/html", value: "<p>Bonjour <b>Ada</b></p>" }]);
  });

  it("uses SENDGRID_API_URL as the base", async () => {
    server.use(http.post("https://api.eu.sendgrid.com/v3/mail/send", () => new HttpResponse(null, { status: 202, headers: { "x-message-id": "eu-1" } })));
    await expect(sendgrid({ baseUrl: "https://api.eu.sendgrid.com/" }).send(message)).resolves.toEqual({ providerMessageId: "eu-1", status: "delivered" });
  });

  it("maps a 400 to permanent with SendGrid's message and field", async () => {
    server.use(http.post(MAIL_SEND, () => sendGridError(400, [{ message: "Does not contain a valid address.", field: "personalizations.0.to.0.email" }])));
    await expect(sendgrid().send(message)).rejects.toMatchObject({
      name: "ProviderError",
      provider: "sendgrid",
      kind: "permanent",
      httpStatus: 400,
      message: "sendgrid: Does not contain a valid address. (personalizations.0.to.0.email)",
    });
  });

  it("maps 401 to configuration without echoing the key", async () => {
    const err = (await sendgrid({ apiKey: "SG.wrong-key" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401 });
    expect(err.message).toBe("sendgrid: The provided authorization grant is invalid, expired, or revoked");
    expect(err.message).not.toContain("SG.wrong-key");
  });

  it("maps 403 (unverified sender identity) to configuration", async () => {
    server.use(http.post(MAIL_SEND, () => sendGridError(403, [{ message: "The from address does not match a verified Sender Identity.", field: "from" }])));
    await expect(sendgrid().send(message)).rejects.toMatchObject({ kind: "configuration", httpStatus: 403 });
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(MAIL_SEND, () => sendGridError(429, [{ message: "too many requests" }], { "retry-after": "30" })));
    await expect(sendgrid().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 30 });
  });

  it("maps 5xx to retryable, also when the body is not JSON", async () => {
    server.use(http.post(MAIL_SEND, () => new HttpResponse("Service Unavailable", { status: 503 })));
    await expect(sendgrid().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 503, message: "sendgrid: Service Unavailable" });
  });

  it("maps a network failure to retryable", async () => {
    server.use(http.post(MAIL_SEND, () => HttpResponse.error()));
    await expect(sendgrid().send(message)).rejects.toMatchObject({ kind: "retryable", message: "sendgrid: network error" });
  });

  it("passes the signal to fetch: a timeout is an unknown outcome, not retried", async () => {
    server.use(http.post(MAIL_SEND, () => delay("infinite")));
    await expect(sendgrid().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "sendgrid: request timed out; the provider may have accepted it" });
  });
});

describe("SendGridEmailProvider: one-click unsubscribe", () => {
  it("sends List-Unsubscribe and List-Unsubscribe-Post in `headers`, beside the delivery id", async () => {
    await sendgrid().send({ ...message, headers: UNSUBSCRIBE });
    expect(received[0]!.body.headers).toEqual({ "X-Notify-Delivery-Id": "dlv_sg_1", ...UNSUBSCRIBE });
  });

  it("never lets an extra header replace an addressing field or break a line", async () => {
    await sendgrid().send({ ...message, headers: { Bcc: "spy@example.com", "X-Evil": "a\r\nBcc: spy@example.com", "Bad Name": "x" } });
    expect(received[0]!.body.headers).toEqual({ "X-Notify-Delivery-Id": "dlv_sg_1" });
  });
});

describe("SendGridEmailProvider: batch (mail merges)", () => {
  const row = (n: number, extra: Partial<EmailMessage> = {}): EmailMessage => ({
    deliveryId: `dlv_sg_b${n}`,
    from: { email: "noreply@notify.example", name: "Notify Team" },
    replyTo: [{ email: "help@notify.example", name: "Help" }],
    to: [`row${n}@example.com`],
    cc: [],
    bcc: [],
    subject: `Bonjour ${n}`,
    text: `Row ${n}`,
    html: `<p>Row ${n}</p>`,
    attachments: [],
    headers: UNSUBSCRIBE,
    ...extra,
  });

  /** Mail Send's documented batch rules on top of the fake above: each address once per call, a subject on every personalization when there is none at the top. */
  const batchRules = http.post(MAIL_SEND, async ({ request }) => {
    const body = (await request.clone().json()) as Record<string, any>;
    const addresses = body.personalizations.flatMap((p: any) => [...(p.to ?? []), ...(p.cc ?? []), ...(p.bcc ?? [])].map((a: any) => a.email.toLowerCase()));
    if (new Set(addresses).size !== addresses.length) {
      return sendGridError(400, [{ message: "Each unique email address in the personalizations array should only be included once.", field: "personalizations" }]);
    }
    if (!body.subject && body.personalizations.some((p: any) => !p.subject)) return sendGridError(400, [{ message: "The subject is required.", field: "subject" }]);
    return undefined;
  });

  it("POSTs one Mail Send: content of substitution tags, one personalization per message with its recipient, subject, headers and bodies", async () => {
    server.use(batchRules);
    const results = await sendgrid().sendBatch([row(1), row(2, { headers: undefined }), row(3)]);

    expect(results).toEqual([1, 2, 3].map(() => ({ ok: true, outcome: { providerMessageId: "sg-msg-id-0001", status: "delivered" } })));
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req).toMatchObject({ method: "POST", url: MAIL_SEND, contentType: "application/json" });
    const personalization = (n: number, headers: Record<string, string> = UNSUBSCRIBE) => ({
      to: [{ email: `row${n}@example.com` }],
      subject: `Bonjour ${n}`,
      headers: { "X-Notify-Delivery-Id": `dlv_sg_b${n}`, ...headers },
      substitutions: { "-notify-text-body-": `Row ${n}`, "-notify-html-body-": `<p>Row ${n}</p>` },
    });
    expect(req!.body).toEqual({
      personalizations: [personalization(1), personalization(2, {}), personalization(3)],
      from: { email: "noreply@notify.example", name: "Notify Team" },
      reply_to: { email: "help@notify.example", name: "Help" },
      content: [
        { type: "text/plain", value: "-notify-text-body-" },
        { type: "text/html", value: "-notify-html-body-" },
      ],
    });
  });

  it("sends a batch with an address twice as one call per repetition, each address once per call", async () => {
    let calls = 0;
    server.use(
      http.post(MAIL_SEND, async () => {
        calls += 1;
        return new HttpResponse(null, { status: 202, headers: { "x-message-id": `sg-round-${calls}` } });
      }),
    );
    // Checked first: the rules, then the counting answer above.
    server.use(batchRules);
    const results = await sendgrid().sendBatch([row(1), row(2, { to: ["ROW1@example.com"] }), row(3), row(4, { to: ["row1@example.com"] })]);
    expect(results.map((r) => r.ok && r.outcome.providerMessageId)).toEqual(["sg-round-1", "sg-round-2", "sg-round-1", "sg-round-3"]);
  });

  it("with several calls, a failed call fails only its own messages", async () => {
    let calls = 0;
    server.use(
      http.post(MAIL_SEND, () => {
        calls += 1;
        return calls === 2 ? new HttpResponse("Service Unavailable", { status: 503 }) : new HttpResponse(null, { status: 202, headers: { "x-message-id": `sg-round-${calls}` } });
      }),
    );
    server.use(batchRules);
    const results = await sendgrid().sendBatch([row(1), row(2), row(3, { to: ["row1@example.com"] })]);
    expect(results[0]).toEqual({ ok: true, outcome: { providerMessageId: "sg-round-1", status: "delivered" } });
    expect(results[1]).toEqual({ ok: true, outcome: { providerMessageId: "sg-round-1", status: "delivered" } });
    expect(results[2]).toMatchObject({ ok: false, error: { name: "ProviderError", kind: "retryable", httpStatus: 503 } });
  });

  it("throws a failure of the whole call: 5xx retryable, 400 permanent, a refused key configuration", async () => {
    server.use(http.post(MAIL_SEND, () => new HttpResponse("Service Unavailable", { status: 503 }), { once: true }));
    await expect(sendgrid().sendBatch([row(1), row(2)])).rejects.toMatchObject({ name: "ProviderError", kind: "retryable", httpStatus: 503 });
    server.use(http.post(MAIL_SEND, () => sendGridError(400, [{ message: "Invalid from email address", field: "from.email" }]), { once: true }));
    await expect(sendgrid().sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "permanent", httpStatus: 400, message: "sendgrid: Invalid from email address (from.email)" });
    await expect(sendgrid({ apiKey: "SG.wrong" }).sendBatch([row(1), row(2)])).rejects.toMatchObject({ kind: "configuration", httpStatus: 401 });
  });

  it("batchKey: sender, reply-to and the parts present; null where one Mail Send cannot carry the message exactly", () => {
    const provider = sendgrid();
    expect(provider.maxBatchSize).toBe(1000);
    const key = provider.batchKey(row(1));
    expect(key).toBe(JSON.stringify([{ email: "noreply@notify.example", name: "Notify Team" }, [{ email: "help@notify.example", name: "Help" }], true, true]));
    expect(provider.batchKey(row(2, { subject: "Other", html: "<p>Other</p>", headers: undefined }))).toBe(key);
    expect(provider.batchKey(row(1, { from: { email: "noreply@notify.example" } }))).not.toBe(key);
    expect(provider.batchKey(row(1, { replyTo: [] }))).not.toBe(key);
    expect(provider.batchKey(row(1, { html: undefined }))).not.toBe(key);
    expect(provider.batchKey(row(1, { text: undefined }))).not.toBe(key);

    // Attachments, more than one recipient (1,000 recipients per call), cc or bcc.
    expect(provider.batchKey(message)).toBeNull();
    expect(provider.batchKey(row(1, { to: ["a@example.com", "b@example.com"] }))).toBeNull();
    expect(provider.batchKey(row(1, { cc: ["boss@example.com"] }))).toBeNull();
    expect(provider.batchKey(row(1, { bcc: ["audit@example.com"] }))).toBeNull();
    // Bodies over the 10,000 bytes of substitutions (UTF-8 bytes, not characters).
    expect(provider.batchKey(row(1, { text: "x".repeat(4_000), html: "y".repeat(5_900) }))).not.toBeNull();
    expect(provider.batchKey(row(1, { text: "é".repeat(2_500), html: "y".repeat(5_000) }))).toBeNull();
    // A tag inside the message would be substituted again by SendGrid.
    expect(provider.batchKey(row(1, { html: "<p>-notify-text-body-</p>" }))).toBeNull();
    expect(provider.batchKey(row(1, { subject: "About -notify-html-body-" }))).toBeNull();
  });
});
