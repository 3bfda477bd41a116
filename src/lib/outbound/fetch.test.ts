import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OutboundError, outboundFetch } from "./fetch";
import { DEFAULT_OUTBOUND_POLICY, outboundPolicy, type OutboundPolicy } from "./url-policy";

const HOOK = "https://receiver.example.com/hook";
const policy: OutboundPolicy = { ...DEFAULT_OUTBOUND_POLICY, timeoutMs: 200, maxResponseBytes: 1024 };

let calls: { url: string; method: string; redirect: string }[] = [];
const server = setupServer(
  http.post(HOOK, ({ request }) => {
    calls.push({ url: request.url, method: request.method, redirect: request.redirect });
    return HttpResponse.json({ ok: true });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  calls = [];
});
afterAll(() => server.close());

/** The OutboundError a call ends in (fails the test when it succeeds or throws something else). */
async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  const err = await promise.then(
    () => new Error("expected an OutboundError"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe("outboundFetch", () => {
  it("calls the canonical URL that was checked, never following redirects, and returns the answer read", async () => {
    const res = await outboundFetch("https://RECEIVER.example.com:443/hook", { method: "POST", body: "{}" }, policy);
    expect(res).toMatchObject({ status: 200, ok: true, text: '{"ok":true}', truncated: false });
    expect(calls).toEqual([{ url: HOOK, method: "POST", redirect: "manual" }]);
  });

  it("refuses a URL the policy refuses before any request is made", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data/", "https://[::ffff:127.0.0.1]/", "https://metadata.google.internal/", "http://receiver.example.com/hook"]) {
      const err = await failure(outboundFetch(url, { method: "POST" }, policy));
      expect(err.failure).toBe("refused");
    }
    const err = await failure(outboundFetch("http://0x7f.1/", {}, policy));
    expect(err).toMatchObject({ failure: "refused", rule: "address", message: "Must not point at a loopback address (127.0.0.1)" });
    expect(calls).toEqual([]);
  });

  it.each([301, 302, 303, 307, 308])("does not follow a %i: it is a failure that says the target redirected", async (status) => {
    let followed = 0;
    server.use(
      http.post(HOOK, () => new HttpResponse("moved", { status, headers: { location: "https://elsewhere.example.com/next" } })),
      http.all("https://elsewhere.example.com/next", () => {
        followed++;
        return HttpResponse.json({ ok: true });
      }),
    );
    const err = await failure(outboundFetch(HOOK, { method: "POST", body: "{}" }, policy));
    expect(err).toMatchObject({ failure: "redirected", status, message: `the target redirected (HTTP ${status}); redirects are not followed` });
    expect(followed).toBe(0);
  });

  it("reads at most maxResponseBytes of a huge body", async () => {
    server.use(http.post(HOOK, () => new HttpResponse("x".repeat(5_000_000), { status: 500 })));
    const res = await outboundFetch(HOOK, { method: "POST" }, policy);
    expect(res).toMatchObject({ status: 500, ok: false, truncated: true });
    expect(res.text).toBe("x".repeat(1024));
  });

  it("stops reading an endless body at the limit", async () => {
    let pulled = 0;
    server.use(
      http.post(HOOK, () => {
        const endless = new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(new TextEncoder().encode("0123456789".repeat(100)));
          },
        });
        return new HttpResponse(endless, { status: 502 });
      }),
    );
    const res = await outboundFetch(HOOK, { method: "POST" }, policy);
    expect(res).toMatchObject({ status: 502, truncated: true });
    expect(res.text).toHaveLength(1024);
    // Nothing keeps pulling once the limit is reached.
    const atReturn = pulled;
    await new Promise((r) => setTimeout(r, 50));
    expect(pulled).toBe(atReturn);
    expect(pulled).toBeLessThan(10);
  });

  it("keeps a body that fits whole, and says it was not cut", async () => {
    server.use(http.post(HOOK, () => new HttpResponse("y".repeat(1024), { status: 400 })));
    await expect(outboundFetch(HOOK, { method: "POST" }, policy)).resolves.toMatchObject({ status: 400, text: "y".repeat(1024), truncated: false });
  });

  it("times out at the policy's limit when no answer comes", async () => {
    server.use(http.post(HOOK, () => delay("infinite")));
    const started = Date.now();
    const err = await failure(outboundFetch(HOOK, { method: "POST" }, policy));
    expect(err).toMatchObject({ failure: "timeout", message: "request timed out" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("times out at the caller's signal when it ends first", async () => {
    server.use(http.post(HOOK, () => delay("infinite")));
    const err = await failure(outboundFetch(HOOK, { method: "POST", signal: AbortSignal.timeout(30) }, { ...policy, timeoutMs: 60_000 }));
    expect(err.failure).toBe("timeout");
  });

  it("sends nothing when the caller's signal has already ended", async () => {
    const err = await failure(outboundFetch(HOOK, { method: "POST", signal: AbortSignal.abort() }, policy));
    expect(err.failure).toBe("not_sent");
    expect(calls).toEqual([]);
  });

  it("returns what arrived of a body that stalls after the headers, once the time is up", async () => {
    server.use(
      http.post(HOOK, () => {
        const stalled = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("partial"));
          },
        });
        return new HttpResponse(stalled, { status: 503 });
      }),
    );
    const res = await outboundFetch(HOOK, { method: "POST" }, policy);
    expect(res).toMatchObject({ status: 503, text: "partial", truncated: true });
  });

  it("reports a receiver that cannot be reached as a network failure", async () => {
    server.use(http.post(HOOK, () => HttpResponse.error()));
    expect((await failure(outboundFetch(HOOK, { method: "POST" }, policy))).failure).toBe("network");
  });

  it("reaches a loopback receiver only when the policy allows loopback", async () => {
    const local = "http://127.0.0.1:9999/hook";
    server.use(http.post(local, () => new HttpResponse(null, { status: 204 })));
    expect((await failure(outboundFetch(local, { method: "POST" }, policy))).failure).toBe("refused");
    await expect(outboundFetch(local, { method: "POST" }, outboundPolicy({ OUTBOUND_ALLOW_LOOPBACK: "true" }))).resolves.toMatchObject({ status: 204, text: "", truncated: false });
  });
});
