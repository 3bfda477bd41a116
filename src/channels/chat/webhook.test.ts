import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../types";
import { GenericWebhookProvider } from "./webhook";

const URL_ = "https://receiver.example.com/notify/inbound";
const SECRET = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;

const message: ChatMessage = { deliveryId: "dlv_w", target: { type: "webhook", url: URL_ }, text: "Deploy finished" };

interface Received {
  method: string;
  contentType: string | null;
  headers: Record<string, string>;
  raw: string;
}
let received: Received[] = [];

const receiver = http.post(URL_, async ({ request }) => {
  received.push({
    method: request.method,
    contentType: request.headers.get("content-type"),
    headers: Object.fromEntries([...request.headers].filter(([name]) => name.startsWith("webhook-"))),
    raw: await request.text(),
  });
  return new HttpResponse(null, { status: 204 });
});

const server = setupServer(receiver);
const webhook = new GenericWebhookProvider();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received = [];
});
afterAll(() => server.close());

describe("GenericWebhookProvider", () => {
  it("posts the notification document and treats any 2xx as delivered", async () => {
    const before = Date.now();
    await expect(webhook.send(message)).resolves.toEqual({ status: "delivered" });

    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe("POST");
    expect(req!.contentType).toBe("application/json");
    const body = JSON.parse(req!.raw) as Record<string, unknown>;
    expect(body).toEqual({ type: "notification.message", deliveryId: "dlv_w", text: "Deploy finished", timestamp: expect.any(String) });
    expect(Date.parse(body.timestamp as string)).toBeGreaterThanOrEqual(before - 1000);
    // Unsigned: no Standard Webhooks headers at all.
    expect(req!.headers).toEqual({});
  });

  it("treats 200 and 202 as delivered too", async () => {
    for (const status of [200, 202]) {
      server.use(http.post(URL_, () => new HttpResponse("accepted", { status }), { once: true }));
      await expect(webhook.send(message)).resolves.toEqual({ status: "delivered" });
    }
  });

  it("passes a card through unchanged", async () => {
    const card = { title: "Build #42", fields: [{ name: "status", value: "green" }] };
    await webhook.send({ ...message, card });
    expect(JSON.parse(received[0]!.raw)).toMatchObject({ card });
  });

  it("signs per Standard Webhooks when the target has a secret: verifiable with the library's Webhook.verify", async () => {
    await webhook.send({ ...message, target: { ...message.target, secret: SECRET } });

    const [req] = received;
    expect(req!.headers["webhook-id"]).toBe("dlv_w");
    expect(req!.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(req!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(SECRET).verify(req!.raw, req!.headers) as Record<string, unknown>;
    expect(verified).toMatchObject({ type: "notification.message", deliveryId: "dlv_w", text: "Deploy finished" });
    // The signed timestamp is the document's own.
    expect(Number(req!.headers["webhook-timestamp"])).toBe(Math.floor(Date.parse(verified.timestamp as string) / 1000));
    // A different secret does not verify.
    expect(() => new Webhook(`whsec_${btoa("another-secret-another-secret!!")}`).verify(req!.raw, req!.headers)).toThrow();
  });

  it("refuses an unusable signing secret as configuration, without calling the receiver", async () => {
    await expect(webhook.send({ ...message, target: { ...message.target, secret: "whsec_***not base64***" } })).rejects.toMatchObject({
      kind: "configuration",
      provider: "webhook",
    });
    expect(received).toHaveLength(0);
  });

  it("maps a 4xx refusal to permanent, keeping a receiver's error code but never its free text or the URL's path", async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ code: "unknown_channel", message: "no channel for /notify/inbound" }, { status: 422 }), { once: true }));
    await expect(webhook.send(message)).rejects.toMatchObject({ kind: "permanent", httpStatus: 422, providerCode: "unknown_channel", message: "webhook: unknown_channel (https://receiver.example.com/…)" });

    server.use(http.post(URL_, () => HttpResponse.json({ error: "unknown channel for /notify/inbound" }, { status: 422 })));
    const err = (await webhook.send(message).catch((e: unknown) => e)) as Error & { providerCode?: string };
    expect(err).toMatchObject({ kind: "permanent", httpStatus: 422, message: "webhook: HTTP 422 (https://receiver.example.com/…)" });
    expect(err.providerCode).toBeUndefined();
  });

  it("does not keep a code that echoes the URL's secret parts", async () => {
    const url = "https://receiver.example.com/notify/Zq8Wv7Ut6Sr5Qp4On3";
    server.use(http.post(url, () => HttpResponse.json({ code: "Zq8Wv7Ut6Sr5Qp4On3" }, { status: 400 })));
    await expect(webhook.send({ ...message, target: { type: "webhook", url } })).rejects.toMatchObject({ message: "webhook: HTTP 400 (https://receiver.example.com/…)", providerCode: undefined });
  });

  it("never stores an answer's HTML, secrets or control characters: only the status", async () => {
    const leak = "<html><body><h1>Internal admin</h1><pre>AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\u001b[31m</pre></body></html>";
    server.use(http.post(URL_, () => new HttpResponse(leak, { status: 500, headers: { "content-type": "text/html" } }), { once: true }));
    const html = (await webhook.send(message).catch((e: unknown) => e)) as Error;
    expect(html.message).toBe("webhook: HTTP 500 (https://receiver.example.com/…)");

    // Even JSON shaped like an error keeps nothing that is not a code.
    server.use(http.post(URL_, () => HttpResponse.json({ error: { secret: "wJalrXUtnFEMI" }, code: "a b\nc" }, { status: 400 })));
    const json = (await webhook.send(message).catch((e: unknown) => e)) as Error;
    expect(json.message).toBe("webhook: HTTP 400 (https://receiver.example.com/…)");
  });

  it("does not follow a redirect: a 3xx is a configuration failure that does not name where it pointed", async () => {
    let followed = 0;
    server.use(
      http.post(URL_, () => new HttpResponse(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } })),
      http.all("http://169.254.169.254/*", () => {
        followed++;
        return new HttpResponse("ami-id");
      }),
    );
    const err = (await webhook.send(message).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "configuration", httpStatus: 302, message: "webhook: the target redirected (HTTP 302); redirects are not followed (https://receiver.example.com/…)" });
    expect(followed).toBe(0);
  });

  it("maps 401/403 to configuration and 404/410 (endpoint gone) to configuration", async () => {
    for (const status of [401, 403, 404, 410]) {
      server.use(http.post(URL_, () => new HttpResponse("nope", { status }), { once: true }));
      await expect(webhook.send(message)).rejects.toMatchObject({ kind: "configuration", httpStatus: status });
    }
  });

  it("maps 429 to retryable with Retry-After", async () => {
    server.use(http.post(URL_, () => new HttpResponse("slow down", { status: 429, headers: { "retry-after": "5" } })));
    await expect(webhook.send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 429, retryAfterSeconds: 5 });
  });

  it("maps 5xx to retryable, honouring Retry-After", async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ message: "database down" }, { status: 500 }), { once: true }));
    await expect(webhook.send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500, message: "webhook: HTTP 500 (https://receiver.example.com/…)" });

    server.use(http.post(URL_, () => new HttpResponse("maintenance", { status: 503, headers: { "retry-after": "120" } })));
    await expect(webhook.send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 503, retryAfterSeconds: 120 });
  });

  it("maps a network failure to retryable and a timeout to an unknown outcome", async () => {
    server.use(http.post(URL_, () => HttpResponse.error(), { once: true }));
    await expect(webhook.send(message)).rejects.toMatchObject({ kind: "retryable", message: "webhook: network error" });

    server.use(http.post(URL_, () => delay("infinite")));
    await expect(webhook.send(message, AbortSignal.timeout(50))).rejects.toMatchObject({ kind: "unknown", message: "webhook: request timed out; the provider may have accepted it" });
  });
});
