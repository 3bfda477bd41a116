import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SmsMessage } from "../types";
import { VonageSmsProvider } from "./vonage";

const KEY = "abcd1234";
const SECRET = "vonage-api-secret";
const MESSAGES_URL = "https://api.nexmo.com/v1/messages";

const message: SmsMessage = { deliveryId: "dlv_42", from: "+447700900000", to: "+447700900123", body: "Hello Ada" };

let received: { method: string; contentType: string | null; accept: string | null; body: unknown }[] = [];

/** Vonage's RFC 7807 problem document. */
const problem = (status: number, code: string, title: string, detail: string, headers: Record<string, string> = {}) =>
  HttpResponse.json(
    { type: `https://developer.vonage.com/api-errors/messages#${code}`, title, detail, instance: "bf0ca0bf927b3b52e3cb03217e1a1ddf" },
    { status, headers: { "content-type": "application/problem+json", ...headers } },
  );

/** A fake Messages API: HTTP Basic with API key and secret, 202 with a message_uuid. */
const sendMessage = http.post(MESSAGES_URL, async ({ request }) => {
  const auth = request.headers.get("authorization") ?? "";
  const [user, password] = atob(auth.replace(/^Basic /, "")).split(":");
  if (!auth.startsWith("Basic ") || user !== KEY || password !== SECRET) {
    return HttpResponse.json(
      { type: "https://developer.vonage.com/api-errors#unauthorized", title: "Unauthorized", detail: "You did not provide correct credentials.", instance: "x" },
      { status: 401, headers: { "content-type": "application/problem+json" } },
    );
  }
  received.push({
    method: request.method,
    contentType: request.headers.get("content-type"),
    accept: request.headers.get("accept"),
    body: await request.json(),
  });
  return HttpResponse.json({ message_uuid: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab" }, { status: 202 });
});

const server = setupServer(sendMessage);
const vonage = (config: Partial<ConstructorParameters<typeof VonageSmsProvider>[0]> = {}) =>
  new VonageSmsProvider({ apiKey: KEY, apiSecret: SECRET, ...config });

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("VonageSmsProvider (Messages API)", () => {
  it("sends an SMS message: JSON body with E.164 digits, Basic auth, and maps the 202 message_uuid", async () => {
    const outcome = await vonage().send(message);

    expect(outcome).toEqual({ providerMessageId: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", status: "delivered" });
    expect(received).toEqual([
      {
        method: "POST",
        contentType: "application/json",
        accept: "application/json",
        body: { message_type: "text", channel: "sms", to: "447700900123", from: "447700900000", text: "Hello Ada", client_ref: "dlv_42" },
      },
    ]);
  });

  it("keeps an alphanumeric sender id as it is", async () => {
    await vonage().send({ ...message, from: "GOVNOTIFY" });
    expect(received[0]!.body).toMatchObject({ from: "GOVNOTIFY" });
  });

  it("uses VONAGE_API_URL as the base", async () => {
    server.use(http.post("http://127.0.0.1:8787/dev/sink/vonage/v1/messages", () => HttpResponse.json({ message_uuid: "sink-uuid" }, { status: 202 })));
    await expect(vonage({ baseUrl: "http://127.0.0.1:8787/dev/sink/vonage" }).send(message)).resolves.toMatchObject({ providerMessageId: "sink-uuid" });
  });

  it("refuses to call Vonage without a sender (configuration)", async () => {
    await expect(vonage().send({ ...message, from: "" })).rejects.toMatchObject({ kind: "configuration" });
    expect(received).toHaveLength(0);
  });

  it("maps a refused recipient to permanent with the problem's title, detail and code", async () => {
    server.use(http.post(MESSAGES_URL, () => problem(422, "1050", "Number barred", "The number you are trying to submit to is blacklisted.")));
    await expect(vonage().send(message)).rejects.toMatchObject({
      provider: "vonage",
      kind: "permanent",
      httpStatus: 422,
      providerCode: "1050",
      message: "vonage: Number barred: The number you are trying to submit to is blacklisted.",
    });
  });

  it("maps refused credentials to configuration, without echoing them", async () => {
    const err = (await vonage({ apiSecret: "wrong-secret" })
      .send(message)
      .catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401, providerCode: "unauthorized" });
    expect(err.message).not.toContain("wrong-secret");
  });

  it("maps account and sender problems to configuration whatever the status", async () => {
    server.use(http.post(MESSAGES_URL, () => problem(422, "1120", "Illegal Sender Address - rejected", "The SenderID was not accepted."), { once: true }));
    await expect(vonage().send(message)).rejects.toMatchObject({ kind: "configuration", providerCode: "1120" });

    server.use(
      http.post(MESSAGES_URL, () =>
        HttpResponse.json({ type: "https://developer.vonage.com/api-errors#low-balance", title: "Low balance", detail: "Top up your account" }, { status: 402 }),
      ),
    );
    await expect(vonage().send(message)).rejects.toMatchObject({ kind: "configuration", httpStatus: 402, providerCode: "low-balance" });
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(MESSAGES_URL, () => problem(429, "1000", "Throttled", "Please wait and retry", { "retry-after": "3" })));
    await expect(vonage().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 3 });
  });

  it("maps 5xx to retryable", async () => {
    server.use(http.post(MESSAGES_URL, () => problem(500, "1030", "Internal error", "There was an error processing your request")));
    await expect(vonage().send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500 });
  });

  it("maps a network failure to retryable and a timeout to an unknown outcome", async () => {
    server.use(http.post(MESSAGES_URL, () => HttpResponse.error(), { once: true }));
    await expect(vonage().send(message)).rejects.toMatchObject({ kind: "retryable", message: "vonage: network error" });

    server.use(http.post(MESSAGES_URL, () => delay("infinite")));
    await expect(vonage().send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "vonage: request timed out; the provider may have accepted it" });
  });
});
