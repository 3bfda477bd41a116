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

  it("maps a 4xx refusal to permanent with the receiver's message, and never shows the URL's path", async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ error: "unknown channel for /notify/inbound" }, { status: 422 })));
    const err = (await webhook.send(message).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: "permanent", httpStatus: 422 });
    expect(err.message).toBe("webhook: unknown channel for … (https://receiver.example.com/…)");
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
    await expect(webhook.send(message)).rejects.toMatchObject({ kind: "retryable", httpStatus: 500, message: "webhook: database down (https://receiver.example.com/…)" });

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
