import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SmsMessage } from "../types";
import { TwilioSmsProvider } from "./twilio";

const SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "twilio-auth-token";
const MESSAGES_URL = `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`;

const message: SmsMessage = { deliveryId: "dlv_1", from: "+15005550006", to: "+17787001234", body: "Hello Ada & co: 100% ✓" };

/** What the fake Twilio received, decoded. */
let received: { method: string; url: string; contentType: string | null; form: URLSearchParams }[] = [];

/** Twilio's documented error document. */
const twilioError = (status: number, code: number, text: string, headers: Record<string, string> = {}) =>
  HttpResponse.json({ code, message: text, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, { status, headers });

/**
 * A fake Create Message endpoint: checks HTTP Basic credentials the way Twilio does (account SID
 * in the path and as user name, auth token as password) and answers the documented 201.
 */
const createMessage = http.post("https://api.twilio.com/2010-04-01/Accounts/:sid/Messages.json", async ({ request, params }) => {
  const auth = request.headers.get("authorization") ?? "";
  const [user, password] = atob(auth.replace(/^Basic /, "")).split(":");
  if (!auth.startsWith("Basic ") || user !== params.sid || password !== TOKEN) return twilioError(401, 20003, "Authenticate");
  // Decoded from the raw bytes: workerd warns when .text() reads a form body.
  const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
  received.push({ method: request.method, url: request.url, contentType: request.headers.get("content-type"), form });
  return HttpResponse.json(
    { sid: "SM0123456789abcdef0123456789abcdef", status: "queued", to: form.get("To"), from: form.get("From"), body: form.get("Body") },
    { status: 201 },
  );
});

const server = setupServer(createMessage);
const twilio = (config: Partial<ConstructorParameters<typeof TwilioSmsProvider>[0]> = {}) =>
  new TwilioSmsProvider({ accountSid: SID, authToken: TOKEN, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("TwilioSmsProvider", () => {
  it("creates a Message: form-encoded To, From, Body with Basic auth, and maps the 201 sid", async () => {
    const outcome = await twilio().send(message);

    expect(outcome).toEqual({ providerMessageId: "SM0123456789abcdef0123456789abcdef", status: "delivered" });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.url).toBe(MESSAGES_URL);
    expect(req!.contentType).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(req!.form)).toEqual({ To: "+17787001234", From: "+15005550006", Body: "Hello Ada & co: 100% ✓" });
  });

  it("asks for status callbacks (StatusCallback, after Body) only when configured with one", async () => {
    await twilio({ statusCallback: "https://notify.example.gov/hooks/twilio" }).send(message);
    expect([...received[0]!.form]).toEqual([
      ["To", "+17787001234"],
      ["From", "+15005550006"],
      ["Body", "Hello Ada & co: 100% ✓"],
      ["StatusCallback", "https://notify.example.gov/hooks/twilio"],
    ]);
    await twilio().send(message);
    expect(received[1]!.form.has("StatusCallback")).toBe(false);
  });

  it("sends through the Messaging Service when the message has no sender, and never both", async () => {
    await twilio({ messagingServiceSid: "MG0123456789abcdef0123456789abcdef" }).send({ ...message, from: "" });
    expect(Object.fromEntries(received[0]!.form)).toEqual({
      To: "+17787001234",
      MessagingServiceSid: "MG0123456789abcdef0123456789abcdef",
      Body: "Hello Ada & co: 100% ✓",
    });

    await twilio({ messagingServiceSid: "MG0123456789abcdef0123456789abcdef" }).send(message);
    expect(received[1]!.form.get("From")).toBe("+15005550006");
    expect(received[1]!.form.has("MessagingServiceSid")).toBe(false);
  });

  it("refuses to call Twilio without any sender (configuration)", async () => {
    await expect(twilio().send({ ...message, from: "" })).rejects.toMatchObject({ kind: "configuration", provider: "twilio" });
    expect(received).toHaveLength(0);
  });

  it("uses TWILIO_API_URL as the base (the local sink)", async () => {
    server.use(
      http.post(`http://127.0.0.1:8787/dev/sink/twilio/2010-04-01/Accounts/${SID}/Messages.json`, () =>
        HttpResponse.json({ sid: "SMsink" }, { status: 201 }),
      ),
    );
    await expect(twilio({ baseUrl: "http://127.0.0.1:8787/dev/sink/twilio/" }).send(message)).resolves.toEqual({
      providerMessageId: "SMsink",
      status: "delivered",
    });
  });

  it("maps documented recipient refusals to permanent with Twilio's code and message", async () => {
    for (const [code, text] of [
      [21211, "The 'To' number +17787001234 is not a valid phone number."],
      [21610, "Attempt to send to unsubscribed recipient"],
      [21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"],
      [21614, "'To' number is not a valid mobile number"],
    ] as const) {
      server.use(http.post(MESSAGES_URL, () => twilioError(400, code, text), { once: true }));
      await expect(twilio().send(message)).rejects.toMatchObject({
        name: "ProviderError",
        provider: "twilio",
        kind: "permanent",
        httpStatus: 400,
        providerCode: String(code),
        message: `twilio: ${text}`,
      });
    }
  });

  it("maps refused credentials (20003) to configuration, without echoing them", async () => {
    const err = (await twilio({ authToken: "wrong-token" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401, providerCode: "20003" });
    expect(err.message).not.toContain("wrong-token");
  });

  it("maps sender problems (21606) to configuration", async () => {
    server.use(http.post(MESSAGES_URL, () => twilioError(400, 21606, "The 'From' phone number provided is not a valid message-capable phone number")));
    await expect(twilio().send(message)).rejects.toMatchObject({ kind: "configuration", providerCode: "21606" });
  });

  it("maps 429 / 20429 to retryable with Retry-After", async () => {
    server.use(http.post(MESSAGES_URL, () => twilioError(429, 20429, "Too Many Requests", { "retry-after": "7" })));
    await expect(twilio().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 7, providerCode: "20429" });
  });

  it("maps a full From queue (21611, HTTP 400) to retryable", async () => {
    server.use(http.post(MESSAGES_URL, () => twilioError(400, 21611, "This 'From' number has exceeded the maximum number of queued messages")));
    await expect(twilio().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 400 });
  });

  it("maps 5xx to retryable, also when the body is not Twilio's JSON", async () => {
    server.use(http.post(MESSAGES_URL, () => new HttpResponse("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" })));
    await expect(twilio().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 502 });
  });

  it("maps a network failure to retryable", async () => {
    server.use(http.post(MESSAGES_URL, () => HttpResponse.error()));
    await expect(twilio().send(message)).rejects.toMatchObject({ kind: "retryable", message: "twilio: network error" });
  });

  it("passes the signal to fetch: a timeout is an unknown outcome, not retried", async () => {
    server.use(http.post(MESSAGES_URL, () => delay("infinite")));
    await expect(twilio().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "twilio: request timed out; the provider may have accepted it" });
  });
});
