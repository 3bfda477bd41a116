import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../types";
import { SlackChatProvider } from "./slack";

const TOKEN = "xX9aB8cD7eF6gH5iJ4kL3mN2";
const HOOK = `https://hooks.slack.com/services/T0001/B0001/${TOKEN}`;

const message: ChatMessage = { deliveryId: "dlv_s", target: { type: "slack", url: HOOK }, text: "Deploy *finished* <https://ci.example|#42>" };

let received: { method: string; contentType: string | null; body: unknown }[] = [];

/** Slack answers errors as a bare code in a text/plain body. */
const slackError = (status: number, code: string, headers: Record<string, string> = {}) =>
  new HttpResponse(code, { status, headers: { "content-type": "text/plain", ...headers } });

/** A fake incoming webhook: JSON only, 200 "ok". */
const webhook = http.post(HOOK, async ({ request }) => {
  if (request.headers.get("content-type") !== "application/json") return slackError(400, "invalid_payload");
  received.push({ method: request.method, contentType: request.headers.get("content-type"), body: await request.json() });
  return new HttpResponse("ok", { status: 200, headers: { "content-type": "text/plain" } });
});

const server = setupServer(webhook);
const slack = new SlackChatProvider();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

/** Every failure message must leave the webhook's token out. */
async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const err = (await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  )) as Error & Record<string, unknown>;
  expect(err.name).toBe("ProviderError");
  expect(err.message).not.toContain(TOKEN);
  expect(err.message).toContain("https://hooks.slack.com/…");
  return err;
}

describe("SlackChatProvider", () => {
  it("posts {text} as JSON and maps 200 ok to delivered", async () => {
    await expect(slack.send(message)).resolves.toEqual({ status: "delivered" });
    expect(received).toEqual([{ method: "POST", contentType: "application/json", body: { text: message.text } }]);
  });

  it("passes a card through as blocks, keeping text as the notification fallback", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Deploy* finished" } }];

    await slack.send({ ...message, card: blocks });
    await slack.send({ ...message, card: { blocks } });
    await slack.send({ ...message, text: "", card: blocks });

    expect(received.map((r) => r.body)).toEqual([
      { text: message.text, blocks },
      { text: message.text, blocks },
      { blocks },
    ]);
  });

  it("maps payload errors (400 invalid_payload, no_text, too_many_attachments) to permanent", async () => {
    for (const code of ["invalid_payload", "no_text", "too_many_attachments"]) {
      server.use(http.post(HOOK, () => slackError(400, code), { once: true }));
      const err = await failure(slack.send(message));
      expect(err).toMatchObject({ kind: "permanent", httpStatus: 400, providerCode: code });
      expect(err.message).toBe(`slack: ${code} (https://hooks.slack.com/…)`);
    }
  });

  it("maps a gone or locked target (no_service, channel_not_found, channel_is_archived, action_prohibited, invalid_token) to configuration", async () => {
    for (const [status, code] of [
      [404, "no_service"],
      [404, "channel_not_found"],
      [410, "channel_is_archived"],
      [403, "action_prohibited"],
      [403, "posting_to_general_channel_denied"],
      [403, "invalid_token"],
      [400, "no_service_id"],
    ] as const) {
      server.use(http.post(HOOK, () => slackError(status, code), { once: true }));
      expect(await failure(slack.send(message))).toMatchObject({ kind: "configuration", httpStatus: status, providerCode: code });
    }
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(HOOK, () => slackError(429, "rate_limited", { "retry-after": "30" })));
    expect(await failure(slack.send(message))).toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 30 });
  });

  it("maps 5xx (rollup_error) to retryable", async () => {
    server.use(http.post(HOOK, () => slackError(500, "rollup_error")));
    expect(await failure(slack.send(message))).toMatchObject({ kind: "retryable", httpStatus: 500, providerCode: "rollup_error" });
  });

  it("does not take an HTML error page for a Slack code", async () => {
    server.use(http.post(HOOK, () => new HttpResponse("<html><body>Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } })));
    const err = await failure(slack.send(message));
    expect(err).toMatchObject({ kind: "retryable", httpStatus: 502 });
    expect(err.providerCode).toBeUndefined();
  });

  it("maps a network failure to retryable and a timeout to an unknown outcome", async () => {
    server.use(http.post(HOOK, () => HttpResponse.error(), { once: true }));
    await expect(slack.send(message)).rejects.toMatchObject({ kind: "retryable", message: "slack: network error" });

    server.use(http.post(HOOK, () => delay("infinite")));
    await expect(slack.send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "slack: request timed out; the provider may have accepted it" });
  });
});
