import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EmailMessage, isBatchEmailProvider } from "../types";
import { MailgunEmailProvider } from "./mailgun";

const API_KEY = "key-mailgun-do-not-leak";
const DOMAIN = "mg.notify.example";
const MESSAGES_URL = `https://api.mailgun.net/v3/${DOMAIN}/messages`;

const message: EmailMessage = {
  deliveryId: "dlv_mg_1",
  from: { email: "noreply@notify.example", name: "Notify Team" },
  replyTo: [{ email: "help@notify.example", name: "Help, Desk" }, { email: "audit@notify.example" }],
  to: ["ada@example.com", "grace@example.org"],
  cc: ["boss@example.com"],
  bcc: ["hidden@example.net"],
  subject: "Votre dossier ✓",
  text: "Bonjour Ada",
  html: "<p>Bonjour <b>Ada</b></p>",
  attachments: [
    { filename: "dossier.pdf", contentType: "application/pdf", content: Uint8Array.from([37, 80, 68, 70]) },
    { filename: "notes.txt", contentType: "text/plain", content: new TextEncoder().encode("ligne 1") },
  ],
};

const UNSUBSCRIBE = { "List-Unsubscribe": "<https://notify.example.gov/u/eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };

let received: { method: string; url: string; contentType: string | null; form: FormData }[] = [];

/**
 * A fake Messages endpoint: HTTP Basic `api:<key>` (Mailgun answers a plain-text 401 otherwise),
 * multipart/form-data with the required from/to/subject and a body; 200 with `{id, message}`.
 */
const messages = http.post("https://api.mailgun.net/v3/:domain/messages", async ({ request, params }) => {
  if (request.headers.get("authorization") !== `Basic ${btoa(`api:${API_KEY}`)}`) return new HttpResponse("Forbidden", { status: 401 });
  if (params.domain !== DOMAIN) return HttpResponse.json({ message: `Domain not found: ${String(params.domain)}` }, { status: 404 });
  const form = await request.formData();
  if (!form.get("from") || !form.get("to") || !form.get("subject")) return HttpResponse.json({ message: "'from' parameter is missing" }, { status: 400 });
  if (!form.get("text") && !form.get("html")) return HttpResponse.json({ message: "Need at least one of 'text' or 'html' parameters specified" }, { status: 400 });
  received.push({ method: request.method, url: request.url, contentType: request.headers.get("content-type"), form });
  return HttpResponse.json({ id: "<20261122.1@mg.notify.example>", message: "Queued. Thank you." });
});

const server = setupServer(messages);
const mailgun = (config: Partial<ConstructorParameters<typeof MailgunEmailProvider>[0]> = {}) =>
  new MailgunEmailProvider({ apiKey: API_KEY, domain: DOMAIN, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("MailgunEmailProvider", () => {
  it("POSTs multipart/form-data with Basic auth and maps the id", async () => {
    const outcome = await mailgun().send(message);

    expect(outcome).toEqual({ providerMessageId: "<20261122.1@mg.notify.example>", status: "delivered" });
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe(MESSAGES_URL);
    expect(req!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const { form } = req!;
    expect(form.get("from")).toBe("Notify Team <noreply@notify.example>");
    expect(form.getAll("to")).toEqual(["ada@example.com", "grace@example.org"]);
    expect(form.getAll("cc")).toEqual(["boss@example.com"]);
    expect(form.getAll("bcc")).toEqual(["hidden@example.net"]);
    expect(form.get("subject")).toBe("Votre dossier ✓");
    expect(form.get("text")).toBe("Bonjour Ada");
    expect(form.get("html")).toBe("<p>Bonjour <b>Ada</b></p>");
    expect(form.get("h:Reply-To")).toBe('"Help, Desk" <help@notify.example>, audit@notify.example');
    expect(form.get("h:X-Notify-Delivery-Id")).toBe("dlv_mg_1");
  });

  it("sends each attachment as a file part with its name, type and bytes", async () => {
    await mailgun().send(message);
    const files = received[0]!.form.getAll("attachment") as File[];
    expect(files.map((f) => [f.name, f.type])).toEqual([
      ["dossier.pdf", "application/pdf"],
      ["notes.txt", "text/plain"],
    ]);
    expect(new Uint8Array(await files[0]!.arrayBuffer())).toEqual(Uint8Array.from([37, 80, 68, 70]));
    expect(await files[1]!.text()).toBe("ligne 1");
  });

  it("leaves out empty cc, bcc, reply-to and bodies", async () => {
    await mailgun().send({ ...message, cc: [], bcc: [], replyTo: [], html: undefined, attachments: [] });
    const keys = [...new Set(received[0]!.form.keys())].sort();
    expect(keys).toEqual(["from", "h:X-Notify-Delivery-Id", "subject", "text", "to"]);
  });

  it("uses MAILGUN_API_URL as the base (EU region)", async () => {
    server.use(http.post(`https://api.eu.mailgun.net/v3/${DOMAIN}/messages`, () => HttpResponse.json({ id: "<eu@mg>", message: "Queued. Thank you." })));
    await expect(mailgun({ baseUrl: "https://api.eu.mailgun.net" }).send(message)).resolves.toEqual({ providerMessageId: "<eu@mg>", status: "delivered" });
  });

  it("maps a 400 to permanent with Mailgun's message", async () => {
    server.use(http.post(MESSAGES_URL, () => HttpResponse.json({ message: "to parameter is not a valid address. please check documentation" }, { status: 400 })));
    await expect(mailgun().send(message)).rejects.toMatchObject({
      name: "ProviderError",
      provider: "mailgun",
      kind: "permanent",
      httpStatus: 400,
      message: "mailgun: to parameter is not a valid address. please check documentation",
    });
  });

  it("maps 401 to configuration without echoing the key", async () => {
    const err = (await mailgun({ apiKey: "key-wrong" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401, message: "mailgun: Forbidden" });
    expect(err.message).not.toContain("key-wrong");
  });

  it("maps an unknown sending domain (404) to configuration", async () => {
    await expect(mailgun({ domain: "unknown.example" }).send(message)).rejects.toMatchObject({
      kind: "configuration",
      httpStatus: 404,
      message: "mailgun: Domain not found: unknown.example",
    });
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(MESSAGES_URL, () => HttpResponse.json({ message: "Too many requests" }, { status: 429, headers: { "retry-after": "5" } })));
    await expect(mailgun().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 5 });
  });

  it("maps 5xx to retryable", async () => {
    server.use(http.post(MESSAGES_URL, () => new HttpResponse("Internal Server Error", { status: 500 })));
    await expect(mailgun().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500 });
  });

  it("maps a network failure to retryable", async () => {
    server.use(http.post(MESSAGES_URL, () => HttpResponse.error()));
    await expect(mailgun().send(message)).rejects.toMatchObject({ kind: "retryable", message: "mailgun: network error" });
  });

  it("passes the signal to fetch: a timeout is an unknown outcome, not retried", async () => {
    server.use(http.post(MESSAGES_URL, () => delay("infinite")));
    await expect(mailgun().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "mailgun: request timed out; the provider may have accepted it" });
  });
});

describe("MailgunEmailProvider: one-click unsubscribe", () => {
  it("sends List-Unsubscribe and List-Unsubscribe-Post as h: fields", async () => {
    await mailgun().send({ ...message, headers: UNSUBSCRIBE });
    const form = received[0]!.form;
    expect(form.get("h:List-Unsubscribe")).toBe(UNSUBSCRIBE["List-Unsubscribe"]);
    expect(form.get("h:List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
  });
});

describe("MailgunEmailProvider: no batch API", () => {
  it("is not a batch provider: mail merges go out one message per call (see the comment atop mailgun.ts)", () => {
    expect(isBatchEmailProvider(mailgun())).toBe(false);
  });
});
