import { beforeEach, describe, expect, it } from "vitest";
import { clear, getAttachment, type NewCapture, saveMessage } from "../store";
import { devApp, devEnv, inboxItems } from "../testing";
import { attachmentDisposition } from "./routes";

const sms: NewCapture = {
  channel: "sms",
  provider: "twilio",
  from: "+15005550006",
  to: ["+17787001234"],
  text: "Your code is 1234\nDo not share it",
  raw: { To: "+17787001234", Body: "Your code is 1234\nDo not share it" },
  headers: { authorization: "Basic (redacted)" },
};
const chat: NewCapture = {
  channel: "chat",
  provider: "slack",
  to: ["http://127.0.0.1:8787/dev/sink/slack/T/B/x"],
  text: "<script>alert(1)</script> deployed",
  raw: { text: "<script>alert(1)</script> deployed" },
};
const email: NewCapture = { channel: "email", provider: "ses", from: "a@example.com", to: ["b@example.com"], subject: "Quarterly report", html: "<p>Hi</p>" };

describe("dev inbox", () => {
  const app = devApp();
  beforeEach(async () => {
    await clear(devEnv.BUCKET);
  });

  async function seed() {
    await saveMessage(devEnv.BUCKET, sms, [], new Date("2030-01-01T10:00:00Z"));
    await saveMessage(devEnv.BUCKET, email, [{ filename: "a.txt", contentType: "text/plain", content: new TextEncoder().encode("a") }], new Date("2030-01-01T10:00:02Z"));
    await saveMessage(devEnv.BUCKET, chat, [], new Date("2030-01-01T10:00:01Z"));
  }

  it("lists messages newest first as JSON, with ?limit", async () => {
    await seed();
    const items = await inboxItems(app);
    expect(items.map((m) => m.channel)).toEqual(["email", "chat", "sms"]);
    expect(items[0]).toMatchObject({ ...email, receivedAt: "2030-01-01T10:00:02.000Z", attachments: [{ index: 0, filename: "a.txt", size: 1 }] });
    const limited = await app.request("/dev/inbox.json?limit=1", {}, devEnv);
    expect(((await limited.json()) as { items: unknown[] }).items).toHaveLength(1);
    const bad = await app.request("/dev/inbox.json?limit=0", {}, devEnv);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_request", errors: [{ path: "query.limit" }] });
  });

  it("renders the list: one linked row per message, newest first, escaped, with Clear and auto-refresh", async () => {
    await seed();
    const items = await inboxItems(app);
    const res = await app.request("/dev/inbox", {}, devEnv);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const page = await res.text();
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    const links = [...page.matchAll(/<a href="\/dev\/inbox\/([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      [items[0]!.id, "Quarterly report"],
      [items[1]!.id, "&lt;script&gt;alert(1)&lt;/script&gt; deployed"],
      [items[2]!.id, "Your code is 1234"],
    ]);
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain('<form method="post" action="/dev/inbox/clear">');
    expect(page).toMatch(/<meta http-equiv="refresh" content="\d+"/);
    expect(page).toContain("+17787001234");
    expect(page).not.toMatch(/<(link|img|script)\b|src="http/);
  });

  it("shows an SMS or chat message with its text and the exact body that was posted", async () => {
    await seed();
    const sent = (await inboxItems(app)).find((m) => m.channel === "sms")!;
    const page = await (await app.request(`/dev/inbox/${sent.id}`, {}, devEnv)).text();
    expect(page).toContain("Your code is 1234\nDo not share it");
    expect(page).toContain("Posted form fields");
    expect(page).toContain("&quot;To&quot;: &quot;+17787001234&quot;");
    expect(page).toContain("Basic (redacted)");
    expect(page).not.toContain("<iframe");

    const posted = (await inboxItems(app)).find((m) => m.channel === "chat")!;
    const chatPage = await (await app.request(`/dev/inbox/${posted.id}`, {}, devEnv)).text();
    expect(chatPage).toContain("Posted JSON");
    expect(chatPage).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(chatPage).not.toContain("<script>alert(1)");
  });

  it("answers 404 problems for messages and attachments that do not exist", async () => {
    for (const path of ["/dev/inbox/8106470399999-00000000", "/dev/inbox/%2E%2E%2Fsecrets", "/dev/inbox/8106470399999-00000000/attachments/0", "/dev/inbox/x/attachments/-1"]) {
      const res = await app.request(path, {}, devEnv);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("clears every message and attachment, then redirects back to the list", async () => {
    await seed();
    const withFile = (await inboxItems(app)).find((m) => m.attachments)!;
    const res = await app.request("/dev/inbox/clear", { method: "POST" }, devEnv);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dev/inbox");
    expect(await inboxItems(app)).toEqual([]);
    expect(await getAttachment(devEnv.BUCKET, withFile.id, 0)).toBeNull();
    expect(await (await app.request("/dev/inbox", {}, devEnv)).text()).toContain("Nothing yet");
  });

  it("names downloads safely in both ASCII and UTF-8", () => {
    expect(attachmentDisposition(`Über "plan" (v2).pdf`)).toBe(
      `attachment; filename="_ber _plan_ (v2).pdf"; filename*=UTF-8''%C3%9Cber%20%22plan%22%20%28v2%29.pdf`,
    );
  });
});
