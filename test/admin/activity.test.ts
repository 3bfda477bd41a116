import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/crypto/encoding";
import { hidePayloadSecrets } from "../../src/services/notifications/payloads";
import { json } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

async function html(res: Response, status = 200): Promise<string> {
  const text = await res.text();
  expect(res.status, text.slice(0, 2000)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  return text;
}

/** The notify ids linked from a list page, in order. */
const idsIn = (page: string) => [...page.matchAll(/href="\/admin\/activity\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
/** The href of the link with this text (entities decoded). */
function linkTo(page: string, text: string): string | null {
  const match = new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(page);
  return match ? match[1]!.replaceAll("&amp;", "&") : null;
}

let a: TestTenant;
let b: TestTenant;
let reader: string;
let sender: string;
const sent: { test: string; live: string; tagged: string; email: string; scheduled: string; ofB: string } = {} as never;

const sms = (extra: Record<string, unknown> = {}) => ({ recipients: { to: ["+17787009911"] }, content: { body: "Your appointment is at 10am" }, ...extra });
async function send(t: TestTenant, key: string, path: string, body: object): Promise<string> {
  const res = await asTenant(t, "POST", path, { key, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json(res)).notifyId as string;
}

beforeAll(async () => {
  a = await createTestTenant("Activity A");
  b = await createTestTenant("Activity B");
  reader = await userSession(a, "read");
  sender = await userSession(a, "send");
  // One-click unsubscribe links on every email, so the stored payload carries a token.
  expect((await asTenant(a, "PATCH", "/api/v1/tenant/defaults", { body: { email: { unsubscribe: { enabled: true } } } })).status).toBe(200);
  sent.test = await send(a, a.keys.test, "/api/v1/notifysimple/sms", sms({ correlationId: "activity-corr-1" }));
  sent.tagged = await send(a, a.keys.test, "/api/v1/notifysimple/sms", sms({ tags: ["activity-tag"] }));
  sent.email = await send(a, a.keys.test, "/api/v1/notifysimple/email", {
    recipients: { to: ["amala@example.com"] },
    content: { subject: "Your letter", body: "<p>Download: {{doc}}</p><script>alert(1)</script>" },
    params: { doc: { file: toBase64(new TextEncoder().encode("%PDF-1.7\n%%EOF\n")), filename: "letter.pdf" } },
  });
  // A live send scheduled for tomorrow: never handed to a provider, so it can be cancelled.
  sent.scheduled = await send(a, a.keys.live, "/api/v1/notifysimple/sms", sms({ delayedSend: new Date(Date.now() + 86_400_000).toISOString() }));
  sent.ofB = await send(b, b.keys.test, "/api/v1/notifysimple/sms", sms());
  for (const id of [sent.test, sent.tagged, sent.email]) await waitForNotification(a, id, (n) => n.status === "delivered");
});
afterAll(() => settleQueues());

describe("admin UI: Activity", () => {
  it("lists the tenant's sends newest first, test sends with a Test tag, and only its own", async () => {
    const page = await html(await getPage("/admin/activity", reader));
    expect(page).toContain("<caption");
    expect(idsIn(page)).toEqual([sent.scheduled, sent.email, sent.tagged, sent.test]);
    expect(page).not.toContain(sent.ofB);
    // Three test sends, three Test tags; the live one has none.
    expect(page.match(/>Test<\/strong>/g)).toHaveLength(3);
    expect(page).toContain("activity-corr-1");
  });

  it("filters narrow the list: status, channel, tag, correlation id, key type", async () => {
    const ids = async (query: string) => idsIn(await html(await getPage(`/admin/activity?${query}`, reader)));
    expect(await ids("status=scheduled")).toEqual([sent.scheduled]);
    expect(await ids("channel=email")).toEqual([sent.email]);
    expect(await ids("tag=activity-tag")).toEqual([sent.tagged]);
    expect(await ids("correlationId=activity-corr-1")).toEqual([sent.test]);
    expect(await ids("keyType=live")).toEqual([sent.scheduled]);
    expect(await ids("keyType=test&channel=sms")).toEqual([sent.tagged, sent.test]);
    // A made-up status is an error named at its field, not a filter silently dropped.
    const bad = await html(await getPage("/admin/activity?status=nonsense", reader), 400);
    expect(bad).toContain('href="#status"');
  });

  it("pages with next and previous links", async () => {
    const all = [sent.scheduled, sent.email, sent.tagged, sent.test];
    const p1 = await html(await getPage("/admin/activity?limit=2", reader));
    expect(idsIn(p1)).toEqual(all.slice(0, 2));
    expect(linkTo(p1, "Previous page")).toBeNull();
    const p2 = await html(await getPage(linkTo(p1, "Next page")!, reader));
    expect(idsIn(p2)).toEqual(all.slice(2, 4));
    expect(linkTo(p2, "Next page")).toBeNull();
    const back = await html(await getPage(linkTo(p2, "Previous page")!, reader));
    expect(idsIn(back)).toEqual(all.slice(0, 2));
  });

  it("shows a notification's messages, attempts, provenance and payload, escaped and without secrets", async () => {
    const page = await html(await getPage(`/admin/activity/${sent.email}`, reader));
    expect(page).toContain("amala@example.com");
    expect(page).toContain("Provider attempts");
    expect(page).toMatch(/<td>accepted<\/td>/);
    expect(page).toContain("Where each value came from");
    expect(page).toMatch(/<td class="code">[^<]+<\/td><td>[^<]+<\/td>/);
    // The payload is text: the tenant's markup is escaped, never live.
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert(1)");
    // Its file link key and unsubscribe token are stored, and hidden here.
    const stored = await env.DB.prepare("SELECT payload FROM deliveries WHERE notification_id = ?").bind(sent.email).first<{ payload: string }>();
    const key = /\/f\/[0-9a-f-]+\?key=([A-Za-z0-9_-]+)/.exec(stored!.payload)?.[1];
    const token = /\/u\/([^>"]+)>/.exec(stored!.payload)?.[1];
    expect(key && token, stored!.payload).toBeTruthy();
    expect(page).not.toContain(key!);
    expect(page).not.toContain(token!);
    for (const part of token!.split(".").filter((p) => p.length >= 8)) expect(page).not.toContain(part);
    expect(page).toContain("/u/[hidden]&gt;");
    expect(page).toContain("?key=[hidden]");
    expect(page).toContain("/u/[hidden]");
    for (const apiKey of Object.values(a.keys)) expect(page).not.toContain(apiKey);

    const smsPage = await html(await getPage(`/admin/activity/${sent.test}`, reader));
    expect(smsPage).toContain("+17787009911");
    expect(smsPage).toContain("Your appointment is at 10am");
    // A read user has no Cancel, and a delivered send nothing to cancel.
    expect(smsPage).not.toContain("/cancel");
  });

  it("cancels a scheduled send through its confirmation page; a read user may not", async () => {
    const detail = await html(await getPage(`/admin/activity/${sent.scheduled}`, sender));
    expect(detail).toContain(`href="/admin/activity/${sent.scheduled}/cancel"`);
    const confirm = await html(await getPage(`/admin/activity/${sent.scheduled}/cancel`, sender));
    expect(confirm).toContain(`<form method="post" action="/admin/activity/${sent.scheduled}/cancel">`);

    const refused = await postForm(`/admin/activity/${sent.scheduled}/cancel`, {}, { cookie: reader });
    expect(refused.status).toBe(403);
    expect((await json(await asTenant(a, "GET", `/api/v1/notify/${sent.scheduled}`))).status).toBe("scheduled");

    const done = await postForm(`/admin/activity/${sent.scheduled}/cancel`, {}, { cookie: sender });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`/admin/activity/${sent.scheduled}?cancelled=1`);
    expect((await json(await asTenant(a, "GET", `/api/v1/notify/${sent.scheduled}`))).status).toBe("cancelled");
    const after = await html(await getPage(done.headers.get("location")!, sender));
    expect(after).toContain("1 messages cancelled");
    const audited = await env.DB.prepare("SELECT actor, target FROM audit_log WHERE tenant_id = ? AND action = 'notification.cancelled'").bind(a.id).all();
    expect(audited.results).toEqual([{ actor: expect.stringMatching(/^user:/), target: `notification:${sent.scheduled}` }]);
    // Again: nothing left, the "This has changed" page.
    expect((await postForm(`/admin/activity/${sent.scheduled}/cancel`, {}, { cookie: sender })).status).toBe(409);
  });

  it("another tenant's notification id is a 404 page, on every Activity route", async () => {
    for (const path of [`/admin/activity/${sent.ofB}`, `/admin/activity/${sent.ofB}/cancel`]) {
      const page = await html(await getPage(path, sender), 404);
      expect(page).toContain("Page not found");
    }
    expect((await postForm(`/admin/activity/${sent.ofB}/cancel`, {}, { cookie: sender })).status).toBe(404);
    expect((await json(await asTenant(b, "GET", `/api/v1/notify/${sent.ofB}`, { key: b.keys.test }))).status).not.toBe("cancelled");
    expect((await getPage("/admin/activity/not-an-id", reader)).status).toBe(404);
  });
});

describe("hidePayloadSecrets", () => {
  it("drops attachment storage keys and a chat target's secret, hides link keys and unsubscribe tokens", () => {
    const shown = hidePayloadSecrets({
      attachments: [{ filename: "a.pdf", key: "tenants/t/attachments/abc" }],
      target: { type: "slack", url: "https://hooks.example/x", secret: "s3cret-value" },
      content: { html: '<a href="https://n.gov/f/0193-ab?key=AbC_123-xyz">file</a> https://n.gov/u/aaaaaaaaaaaaaaaa.bbbbbbbbbb.cccccccc' },
    });
    expect(shown).toEqual({
      attachments: [{ filename: "a.pdf" }],
      target: { type: "slack", url: "https://hooks.example/…" },
      content: { html: '<a href="https://n.gov/f/0193-ab?key=[hidden]">file</a> https://n.gov/u/[hidden]' },
    });
  });
});
