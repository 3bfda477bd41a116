import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../types";
import { RocketChatProvider } from "./rocketchat";

const INTEGRATION = "5f1d2c3b4a5968778695a4b3";
const TOKEN = "Zq8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih0GfEdCbA9z8y7x6w5v4u3t";
const HOOK = `https://chat.example.org/hooks/${INTEGRATION}/${TOKEN}`;

const message: ChatMessage = { deliveryId: "dlv_r", target: { type: "rocketchat", url: HOOK }, text: "Deploy **finished**" };

let received: { method: string; contentType: string | null; body: unknown }[] = [];

/** A fake incoming-webhook integration: checks id and token the way Rocket.Chat does, answers {success: true}. */
const hook = http.post("https://chat.example.org/hooks/:integration/:token", async ({ request, params }) => {
  if (params.integration !== INTEGRATION || params.token !== TOKEN) {
    return HttpResponse.json({ status: "error", message: "You must be logged in to do this." }, { status: 401 });
  }
  received.push({ method: request.method, contentType: request.headers.get("content-type"), body: await request.json() });
  return HttpResponse.json({ success: true });
});

const server = setupServer(hook);
const rocketchat = new RocketChatProvider();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

/** Every failure message must leave the integration token out. */
async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const err = (await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  )) as Error & Record<string, unknown>;
  expect(err.name).toBe("ProviderError");
  expect(err.message).not.toContain(TOKEN);
  expect(err.message).toContain("https://chat.example.org/…");
  return err;
}

describe("RocketChatProvider", () => {
  it("posts {text} as JSON and maps {success: true} to delivered", async () => {
    await expect(rocketchat.send(message)).resolves.toEqual({ status: "delivered" });
    expect(received).toEqual([{ method: "POST", contentType: "application/json", body: { text: "Deploy **finished**" } }]);
  });

  it("passes a card through as attachments", async () => {
    const attachments = [{ title: "Build #42", title_link: "https://ci.example/42", text: "All green", color: "#36a64f" }];
    await rocketchat.send({ ...message, card: attachments });
    await rocketchat.send({ ...message, card: { attachments } });
    expect(received.map((r) => r.body)).toEqual([
      { text: "Deploy **finished**", attachments },
      { text: "Deploy **finished**", attachments },
    ]);
  });

  it("treats a 200 with success: false as a permanent refusal", async () => {
    server.use(http.post(HOOK, () => HttpResponse.json({ success: false, error: "error-running-script" })));
    const err = await failure(rocketchat.send(message));
    expect(err).toMatchObject({ kind: "permanent", httpStatus: 200 });
    expect(err.message).toBe("rocketchat: error-running-script (https://chat.example.org/…)");
  });

  it("maps a 400 refusal to permanent, keeping Rocket.Chat's error identifier but never its free text", async () => {
    server.use(http.post(HOOK, () => HttpResponse.json({ success: false, error: "error-invalid-channel" }, { status: 400 }), { once: true }));
    const coded = await failure(rocketchat.send(message));
    expect(coded).toMatchObject({ kind: "permanent", httpStatus: 400, providerCode: "error-invalid-channel", message: "rocketchat: error-invalid-channel (https://chat.example.org/…)" });

    server.use(http.post(HOOK, () => HttpResponse.json({ success: false, error: "overriding destination channel is disabled for this integration" }, { status: 400 })));
    const worded = await failure(rocketchat.send(message));
    expect(worded).toMatchObject({ kind: "permanent", httpStatus: 400, message: "rocketchat: HTTP 400 (https://chat.example.org/…)" });
    expect(worded.providerCode).toBeUndefined();
  });

  it("maps an unknown integration token (401) to configuration, with the status only", async () => {
    const err = await failure(rocketchat.send({ ...message, target: { type: "rocketchat", url: `https://chat.example.org/hooks/${INTEGRATION}/${TOKEN}x` } }));
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401, message: "rocketchat: HTTP 401 (https://chat.example.org/…)" });
  });

  it("maps 404 (no such hook) to configuration", async () => {
    server.use(http.post(HOOK, () => HttpResponse.json({ success: false, error: "Not found" }, { status: 404 })));
    expect(await failure(rocketchat.send(message))).toMatchObject({ kind: "configuration", httpStatus: 404 });
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(HOOK, () => HttpResponse.json({ success: false, error: "Error, too many requests." }, { status: 429, headers: { "retry-after": "9" } })));
    expect(await failure(rocketchat.send(message))).toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 9 });
  });

  it("maps 5xx (a disabled integration answers 503) to retryable", async () => {
    server.use(http.post(HOOK, () => HttpResponse.json({ success: false, error: "Service Unavailable" }, { status: 503 })));
    expect(await failure(rocketchat.send(message))).toMatchObject({ kind: "retryable", httpStatus: 503 });
  });

  it("maps a network failure to retryable and a timeout to an unknown outcome", async () => {
    server.use(http.post(HOOK, () => HttpResponse.error(), { once: true }));
    await expect(rocketchat.send(message)).rejects.toMatchObject({ kind: "retryable", message: "rocketchat: network error" });

    server.use(http.post(HOOK, () => delay("infinite")));
    await expect(rocketchat.send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "rocketchat: request timed out; the provider may have accepted it" });
  });
});
