import { beforeEach, describe, expect, it } from "vitest";
import { clear } from "../store";
import { devApp, devEnv, inboxItems } from "../testing";

const BASE = "http://127.0.0.1:8787/dev/sink";

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const adaptiveCardMessage = {
  type: "message",
  attachments: [
    {
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          { type: "TextBlock", text: "Build failed", weight: "Bolder" },
          { type: "Container", items: [{ type: "TextBlock", text: "main · 3 tests", wrap: true }] },
        ],
      },
    },
  ],
};

describe("chat sinks", () => {
  const app = devApp();
  beforeEach(async () => {
    await clear(devEnv.BUCKET);
  });

  describe("Slack incoming webhook", () => {
    const url = `${BASE}/slack/T0DEMO/B0DEMO/demo-webhook`;

    it("answers 200 ok and captures the exact JSON", async () => {
      const body = { text: "Hello <b>Ada</b>", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Hello*" } }] };
      const res = await app.request(postJson(url, body), undefined, devEnv);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok");
      const [item] = await inboxItems(app);
      expect(item).toMatchObject({ channel: "chat", provider: "slack", to: [url], text: "Hello <b>Ada</b>", raw: body });
    });

    it("takes blocks without text", async () => {
      const res = await app.request(postJson(url, { blocks: [{ type: "divider" }] }), undefined, devEnv);
      expect(res.status).toBe(200);
    });

    it.each([
      ["no text or blocks", postJson(url, { username: "bot" }), 400, "no_text"],
      ["blocks that are not a list", postJson(url, { text: "x", blocks: {} }), 400, "invalid_blocks"],
      ["a body that is not JSON", postJson(url, "text=hi"), 400, "invalid_payload"],
      ["a body that is not an object", postJson(url, ["hi"]), 400, "invalid_payload"],
      ["a form body", postJson(url, { text: "x" }, { "content-type": "application/x-www-form-urlencoded" }), 400, "invalid_payload"],
      ["a URL without the webhook's own path", postJson(`${BASE}/slack/`, { text: "x" }), 404, "no_service"],
      ["GET", new Request(url), 405, "invalid_method"],
    ])("refuses %s with a bare error code", async (_case, request, status, code) => {
      const res = await app.request(request, undefined, devEnv);
      expect(res.status).toBe(status);
      expect(await res.text()).toBe(code);
      expect(await inboxItems(app)).toEqual([]);
    });
  });

  describe("Teams workflow webhook", () => {
    const url = `${BASE}/teams/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t`;

    it("answers 202 with no body and reads the card's text", async () => {
      const res = await app.request(postJson(url, adaptiveCardMessage), undefined, devEnv);
      expect(res.status).toBe(202);
      expect(await res.text()).toBe("");
      const [item] = await inboxItems(app);
      expect(item).toMatchObject({ provider: "teams", to: [url], text: "Build failed\nmain · 3 tests", raw: adaptiveCardMessage });
    });

    it.each([
      ["a message that is not one", { ...adaptiveCardMessage, type: "card" }, "TriggerInputSchemaMismatch"],
      ["no attachments", { type: "message", attachments: [] }, "TriggerInputSchemaMismatch"],
      ["a card of another kind", { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.hero", content: {} }] }, "TriggerInputSchemaMismatch"],
      ["a body that is not JSON", "{", "InvalidRequestContent"],
    ])("refuses %s with Power Automate's error document", async (_case, body, code) => {
      const res = await app.request(postJson(url, body), undefined, devEnv);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
    });
  });

  describe("Rocket.Chat incoming webhook", () => {
    const url = `${BASE}/rocketchat/hooks/6V4XfGv/8Jx2tokenABC`;

    it("answers {success: true}", async () => {
      const body = { text: "Deploy done", attachments: [{ title: "v1.2", color: "#00ff00" }] };
      const res = await app.request(postJson(url, body), undefined, devEnv);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ success: true });
      expect((await inboxItems(app))[0]).toMatchObject({ provider: "rocketchat", text: "Deploy done", raw: body });
    });

    it("refuses a message with nothing to post, as {success: false}", async () => {
      const res = await app.request(postJson(url, { alias: "bot" }), undefined, devEnv);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ success: false, error: expect.any(String) });
    });
  });

  describe("generic webhook", () => {
    const url = `${BASE}/webhook/orders`;
    const payload = { type: "notification.message", deliveryId: "d-1", text: "Order shipped", timestamp: "2030-01-01T00:00:00.000Z" };
    const signature = { "webhook-id": "d-1", "webhook-timestamp": "1893456000", "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=" };

    it("answers 204 and keeps the Standard Webhooks headers", async () => {
      const res = await app.request(postJson(url, payload, signature), undefined, devEnv);
      expect(res.status).toBe(204);
      const [item] = await inboxItems(app);
      expect(item).toMatchObject({ provider: "webhook", text: "Order shipped", raw: payload, headers: signature });
    });

    it("takes unsigned posts and any JSON", async () => {
      expect((await app.request(postJson(url, [1, 2]), undefined, devEnv)).status).toBe(204);
      expect((await inboxItems(app))[0]).toMatchObject({ raw: [1, 2] });
    });

    it("refuses an incomplete or malformed signature set", async () => {
      const incomplete = await app.request(postJson(url, payload, { "webhook-id": "d-1" }), undefined, devEnv);
      expect(incomplete.status).toBe(400);
      expect(await incomplete.json()).toMatchObject({ message: expect.stringContaining("webhook-timestamp") });
      const malformed = await app.request(postJson(url, payload, { ...signature, "webhook-signature": "sha256=abc" }), undefined, devEnv);
      expect(malformed.status).toBe(400);
    });
  });
});
