import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { RocketChatProvider } from "../channels/chat/rocketchat";
import { SlackChatProvider } from "../channels/chat/slack";
import { TeamsChatProvider } from "../channels/chat/teams";
import { GenericWebhookProvider } from "../channels/chat/webhook";
import { SesEmailProvider } from "../channels/email/ses";
import { TwilioSmsProvider } from "../channels/sms/twilio";
import type { ChatTarget } from "../channels/types";
import { outboundPolicy } from "../lib/outbound/url-policy";
import { clear } from "./store";
import { devApp, devEnv, inboxItems } from "./testing";

// The sinks exist so that `npm start` runs the real adapters end to end. These tests do exactly
// that, with fetch routed into the app: if an adapter and its sink ever disagree on the wire
// format or the answer, it shows here rather than in a newcomer's first send.

const BASE = "http://127.0.0.1:8787";
/** What npm start sets: chat targets may reach the sink on loopback. */
const local = outboundPolicy({ OUTBOUND_ALLOW_LOOPBACK: "true" });

describe("the real provider adapters against the local sinks", () => {
  const app = devApp();
  beforeAll(() => {
    vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => app.request(new Request(input, init), undefined, devEnv));
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });
  beforeEach(async () => {
    await clear(devEnv.BUCKET);
  });

  it("SES: an email with cc, bcc, reply-to and an attachment is delivered and shows up parsed", async () => {
    const ses = new SesEmailProvider({ accessKeyId: "AKIDLOCALSINK", secretAccessKey: "local-sink-secret", region: "ca-central-1", endpoint: `${BASE}/dev/sink/ses` });
    const outcome = await ses.send({
      deliveryId: "del-email-1",
      from: { email: "no-reply@notify.example.com", name: "Edge Notify" },
      replyTo: [{ email: "help@example.com" }],
      to: ["ada@example.com"],
      cc: ["team@example.com"],
      bcc: ["audit@example.com"],
      subject: "Hello Ada ✓",
      text: "Welcome, Ada!",
      html: "<p><strong>Welcome</strong>, Ada!</p>",
      attachments: [{ filename: "note.txt", contentType: "text/plain", content: new TextEncoder().encode("hello file") }],
    });
    const [item] = await inboxItems(app);
    expect(outcome).toEqual({ providerMessageId: item!.providerMessageId, status: "delivered" });
    expect(item).toMatchObject({
      channel: "email",
      provider: "ses",
      from: "Edge Notify <no-reply@notify.example.com>",
      to: ["ada@example.com"],
      cc: ["team@example.com"],
      bcc: ["audit@example.com"],
      replyTo: ["help@example.com"],
      subject: "Hello Ada ✓",
      attachments: [{ index: 0, filename: "note.txt", contentType: "text/plain", size: 10 }],
    });
    expect(item!.text?.trim()).toBe("Welcome, Ada!");
    expect(item!.html).toContain("<strong>Welcome</strong>");
  });

  it("Twilio: an SMS is delivered with the sink's sid", async () => {
    const twilio = new TwilioSmsProvider({ accountSid: "AC00000000000000000000000000000000", authToken: "local-sink-token", baseUrl: `${BASE}/dev/sink/twilio` });
    const outcome = await twilio.send({ deliveryId: "del-sms-1", from: "+15005550006", to: "+17787001234", body: "Hello Ada" });
    const [item] = await inboxItems(app);
    expect(outcome).toEqual({ providerMessageId: item!.providerMessageId, status: "delivered" });
    expect(item!.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(item).toMatchObject({ channel: "sms", provider: "twilio", from: "+15005550006", to: ["+17787001234"], text: "Hello Ada" });
  });

  it("Twilio: a refusal from the sink becomes the adapter's permanent failure", async () => {
    const twilio = new TwilioSmsProvider({ accountSid: "AC00000000000000000000000000000000", authToken: "local-sink-token", baseUrl: `${BASE}/dev/sink/twilio` });
    await expect(twilio.send({ deliveryId: "del-sms-2", from: "+15005550006", to: "not-a-number", body: "x" })).rejects.toMatchObject({
      name: "ProviderError",
      kind: "permanent",
      httpStatus: 400,
      providerCode: "21211",
    });
  });

  it.each([
    ["slack", new SlackChatProvider(local), `${BASE}/dev/sink/slack/T0DEMO/B0DEMO/demo-webhook`],
    ["teams", new TeamsChatProvider(local), `${BASE}/dev/sink/teams/workflows/abc/triggers/manual/paths/invoke?sig=x`],
    ["rocketchat", new RocketChatProvider(local), `${BASE}/dev/sink/rocketchat/hooks/abc/token123`],
    ["webhook", new GenericWebhookProvider(local), `${BASE}/dev/sink/webhook/orders`],
  ] as const)("%s: a chat message is delivered and its posted JSON is kept", async (type, provider, url) => {
    const target: ChatTarget = { type, url, ...(type === "webhook" ? { secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } : {}) };
    const outcome = await provider.send({ deliveryId: `del-${type}`, target, text: "Hello Ada" });
    expect(outcome.status).toBe("delivered");
    const [item] = await inboxItems(app);
    expect(item).toMatchObject({ channel: "chat", provider: type, to: [url], text: "Hello Ada", raw: expect.anything() });
    if (type === "webhook") expect(item!.headers).toMatchObject({ "webhook-id": "del-webhook" });
  });
});
