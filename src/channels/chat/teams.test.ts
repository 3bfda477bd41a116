import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../types";
import { TeamsChatProvider } from "./teams";

const SIG = "pX7u2Hq9Vb4Kd1Lm6Nr3St8Wy5Za0Ce2Fg4Hj6Ik8Ml";
const FLOW = "https://0123abcd.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/86ffea63/triggers/manual/paths/invoke";
const HOOK = `${FLOW}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;

const message: ChatMessage = { deliveryId: "dlv_t", target: { type: "teams", url: HOOK }, text: "Deploy finished\nAll green" };

let received: { method: string; sig: string | null; contentType: string | null; body: unknown }[] = [];

/** Power Automate's error document. */
const flowError = (status: number, code: string, text: string, headers: Record<string, string> = {}) =>
  HttpResponse.json({ error: { code, message: text } }, { status, headers });

/** A fake "When a Teams webhook request is received" trigger: checks the signature, answers 202. */
const trigger = http.post(FLOW, async ({ request }) => {
  const sig = new URL(request.url).searchParams.get("sig");
  if (sig !== SIG) return flowError(401, "DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid.");
  received.push({ method: request.method, sig, contentType: request.headers.get("content-type"), body: await request.json() });
  return new HttpResponse(null, { status: 202 });
});

const server = setupServer(trigger);
const teams = new TeamsChatProvider();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

/** Every failure message must leave the workflow's signature and path out. */
async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const err = (await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  )) as Error & Record<string, unknown>;
  expect(err.name).toBe("ProviderError");
  expect(err.message).not.toContain(SIG);
  expect(err.message).not.toContain("workflows/86ffea63");
  return err;
}

describe("TeamsChatProvider (Workflows webhook)", () => {
  it("posts a message with one Adaptive Card built from the text, and maps 202 to delivered", async () => {
    await expect(teams.send(message)).resolves.toEqual({ status: "delivered" });

    expect(received).toEqual([
      {
        method: "POST",
        sig: SIG,
        contentType: "application/json",
        body: {
          type: "message",
          attachments: [
            {
              contentType: "application/vnd.microsoft.card.adaptive",
              contentUrl: null,
              content: {
                $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
                type: "AdaptiveCard",
                version: "1.4",
                body: [{ type: "TextBlock", text: "Deploy finished\nAll green", wrap: true }],
              },
            },
          ],
        },
      },
    ]);
  });

  it("passes an Adaptive Card through unchanged", async () => {
    const card = {
      type: "AdaptiveCard",
      version: "1.5",
      body: [{ type: "FactSet", facts: [{ title: "Build", value: "#42" }] }],
      actions: [{ type: "Action.OpenUrl", title: "Open", url: "https://ci.example/42" }],
    };
    await teams.send({ ...message, card });
    expect(received[0]!.body).toMatchObject({ attachments: [{ content: card }] });
  });

  it("accepts 200 as well as 202", async () => {
    server.use(http.post(FLOW, () => new HttpResponse(null, { status: 200 })));
    await expect(teams.send(message)).resolves.toEqual({ status: "delivered" });
  });

  it("maps a body the flow's trigger schema refuses to permanent", async () => {
    server.use(
      http.post(FLOW, () =>
        flowError(400, "TriggerInputSchemaMismatch", "The input body for trigger 'manual' of type 'Request' did not match its schema definition."),
      ),
    );
    const err = await failure(teams.send(message));
    // The code is kept; the flow's free-text message is not.
    expect(err).toMatchObject({ kind: "permanent", httpStatus: 400, providerCode: "TriggerInputSchemaMismatch" });
    expect(err.message).toBe("teams: TriggerInputSchemaMismatch (https://0123abcd.environment.api.powerplatform.com/…)");
  });

  it("maps a wrong signature (401) to configuration", async () => {
    const err = await failure(teams.send({ ...message, target: { type: "teams", url: `${FLOW}?api-version=1&sig=wrong-signature-value` } }));
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 401, providerCode: "DirectApiInvalidAuthorizationSignature" });
    expect(err.message).not.toContain("wrong-signature-value");
  });

  it("maps a turned-off or deleted flow (400 WorkflowTriggerIsNotEnabled, 404) to configuration", async () => {
    server.use(
      http.post(FLOW, () => flowError(400, "WorkflowTriggerIsNotEnabled", "The workflow '86ffea63' cannot be triggered because its current state 'Disabled' is not valid."), {
        once: true,
      }),
    );
    expect(await failure(teams.send(message))).toMatchObject({ kind: "configuration", httpStatus: 400 });

    server.use(http.post(FLOW, () => flowError(404, "WorkflowNotFound", "The workflow could not be found.")));
    expect(await failure(teams.send(message))).toMatchObject({ kind: "configuration", httpStatus: 404 });
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(FLOW, () => flowError(429, "WorkflowRequestsThrottled", "Rate limit reached", { "retry-after": "12" })));
    expect(await failure(teams.send(message))).toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 12 });
  });

  it("maps 5xx to retryable", async () => {
    server.use(http.post(FLOW, () => flowError(503, "ServiceUnavailable", "Try again later")));
    expect(await failure(teams.send(message))).toMatchObject({ kind: "retryable", httpStatus: 503 });
  });

  it("maps a network failure to retryable and a timeout to an unknown outcome", async () => {
    server.use(http.post(FLOW, () => HttpResponse.error(), { once: true }));
    await expect(teams.send(message)).rejects.toMatchObject({ kind: "retryable", message: "teams: network error" });

    server.use(http.post(FLOW, () => delay("infinite")));
    await expect(teams.send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "teams: request timed out; the provider may have accepted it" });
  });
});
