import { describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launch, offlinePage } from "./helpers/browser";

const service = inject("service");

async function getJson(path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${service.baseUrl}${path}`, init);
  return { status: res.status, body: await res.json() };
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("timed out");
}

describe("npm start: an email, an SMS and a Slack message reach the dev inbox and are delivered", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("sends through the real adapters to the local sink, and the inbox shows each", async () => {
    const marker = crypto.randomUUID().slice(0, 8);
    const send = await getJson("/api/v1/notifysimple", {
      method: "POST",
      headers: { "x-api-key": service.liveKey, "content-type": "application/json" },
      body: JSON.stringify({
        params: { name: "Ada", marker },
        email: {
          recipients: { to: ["ada@example.com"], cc: ["team@example.com"] },
          content: { subject: "Mail for {{name}} {{marker}}", body: "**Welcome**, {{name}}!", bodyType: "markdown" },
          attachments: [{ filename: "note.txt", contentType: "text/plain", content: btoa("hello file") }],
        },
        sms: { recipients: { to: ["+17787001234"] }, content: { body: "Hello {{name}} {{marker}}" } },
        msgApp: { target: "demo-slack", content: { body: "Hello {{name}} {{marker}}" } },
      }),
    });
    expect(send.status).toBe(201);

    const final = await until(async () => {
      const { body } = await getJson(`/api/v1/notify/${send.body.notifyId}`, { headers: { "x-api-key": service.liveKey } });
      return ["delivered", "failed", "partially-failed"].includes(body.status) ? body : undefined;
    });
    expect(final.status).toBe("delivered");
    expect(final.messages.map((m: any) => [m.channel, m.provider, m.status])).toEqual([
      ["email", "ses", "delivered"],
      ["email", "ses", "delivered"],
      ["msgApp", "slack", "delivered"],
      ["sms", "twilio", "delivered"],
    ]);

    const inbox = (await getJson("/dev/inbox.json?limit=20")).body.items.filter((m: any) => JSON.stringify(m).includes(marker));
    const byChannel = Object.fromEntries(inbox.map((m: any) => [m.channel, m]));
    expect(byChannel.email).toMatchObject({ provider: "ses", to: ["ada@example.com"], cc: ["team@example.com"], subject: `Mail for Ada ${marker}` });
    expect(byChannel.email.html).toContain("<strong>Welcome</strong>");
    expect(byChannel.email.attachments).toEqual([expect.objectContaining({ filename: "note.txt", contentType: "text/plain", size: 10 })]);
    expect(byChannel.sms).toMatchObject({ provider: "twilio", to: ["+17787001234"], text: `Hello Ada ${marker}` });
    expect(byChannel.chat).toMatchObject({ provider: "slack", text: `Hello Ada ${marker}` });

    // The inbox pages a newcomer opens: the list, then the email rendered with its attachment.
    const { page, blocked, errors } = await offlinePage(browser, service.baseUrl);
    await page.goto(`${service.baseUrl}/dev/inbox`);
    await page.getByText(`Mail for Ada ${marker}`).first().click();
    await page.waitForURL(/\/dev\/inbox\/.+/);
    const frame = page.frameLocator("iframe");
    await expect(frame.locator("strong").innerText()).resolves.toBe("Welcome");
    await expect(page.getByText("note.txt").count()).resolves.toBeGreaterThan(0);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("a scheduled send is released by npm start's own cron tick", async () => {
    const delayedSend = new Date(Date.now() + 5_000).toISOString();
    const send = await getJson("/api/v1/notifysimple/sms", {
      method: "POST",
      headers: { "x-api-key": service.testKey, "content-type": "application/json" },
      body: JSON.stringify({ recipients: { to: ["+17787001234"] }, content: { body: "later" }, delayedSend }),
    });
    expect(send.body.status).toBe("scheduled");
    const final = await until(async () => {
      const { body } = await getJson(`/api/v1/notify/${send.body.notifyId}`, { headers: { "x-api-key": service.testKey } });
      return body.status === "delivered" ? body : undefined;
    }, 100_000);
    expect(final.messages[0].status).toBe("delivered");
  }, 120_000);
});
