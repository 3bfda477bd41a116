import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { kindForStatus, providerFetch } from "./http-errors";

const URL = "https://provider.example/send";
let calls = 0;
const server = setupServer(
  http.post(URL, async () => {
    calls++;
    await delay("infinite");
    return HttpResponse.json({});
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  calls = 0;
  server.resetHandlers();
});
afterAll(() => server.close());

describe("providerFetch", () => {
  it("a timeout once the request is out is an unknown outcome, since the provider may have accepted it", async () => {
    await expect(providerFetch("p", URL, { method: "POST", signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      kind: "unknown",
      message: "p: request timed out; the provider may have accepted it",
    });
    expect(calls).toBe(1);
  });

  it("a timeout is retryable when the provider de-duplicates (an idempotency key)", async () => {
    await expect(providerFetch("p", URL, { method: "POST", signal: AbortSignal.timeout(50) }, { idempotent: true })).rejects.toMatchObject({
      kind: "retryable",
      message: "p: request timed out",
    });
  });

  it("does not send at all when the time is already up, and says it is safe to retry", async () => {
    await expect(providerFetch("p", URL, { method: "POST", signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: "retryable" });
    expect(calls).toBe(0);
  });

  it("a network failure (nothing reached the provider) is retryable", async () => {
    server.use(http.post(URL, () => HttpResponse.error()));
    await expect(providerFetch("p", URL, { method: "POST" })).rejects.toMatchObject({ kind: "retryable", message: "p: network error" });
  });
});

describe("kindForStatus", () => {
  it("retries 408, 429 and 5xx; blames our credentials on 401/403; the message on other 4xx", () => {
    expect([408, 429, 500, 503].map(kindForStatus)).toEqual(["retryable", "retryable", "retryable", "retryable"]);
    expect([401, 403].map(kindForStatus)).toEqual(["configuration", "configuration"]);
    expect([400, 404, 422].map(kindForStatus)).toEqual(["permanent", "permanent", "permanent"]);
  });
});
