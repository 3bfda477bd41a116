import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { issueUnsubscribeToken } from "../../src/services/unsubscribe/token";
import { BASE, call, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const content = { subject: "Funding news", body: "Hello" };

async function tenantWithUnsubscribe(enabled = true): Promise<TestTenant> {
  const tenant = await createTestTenant("Funding Programs");
  const res = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { unsubscribe: { enabled } } } });
  expect(res.status).toBe(200);
  return tenant;
}

const suppressions = async (tenant: TestTenant) => (await json(await asTenant(tenant, "GET", "/api/v1/suppressions"))).items;

/** The link's path (`/u/…`) from a List-Unsubscribe value. */
const linkPath = (header: string) => {
  const url = /^<(.+)>$/.exec(header)![1]!;
  expect(url.startsWith(`${BASE}/u/`)).toBe(true);
  return url.slice(BASE.length);
};

/** The link of an email really sent (previews show a link that works for no one). */
async function sentLink(tenant: TestTenant, to = "ann@example.com"): Promise<string> {
  const before = mocks.captured.ses.length;
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: [to] }, content } });
  expect(res.status).toBe(201);
  await waitForNotification(tenant, (await json(res)).notifyId);
  return linkPath(mocks.captured.ses[before]!.mime.headers.find((h) => h.key === "list-unsubscribe")!.value);
}

describe("one-click unsubscribe: headers", () => {
  it("is off unless the tenant enables it", async () => {
    const tenant = await createTestTenant();
    const preview = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: { recipients: { to: ["a@example.com"] }, content } }));
    expect(preview.email[0].headers).toBeUndefined();
  });

  it("splits an email to several addresses into one email per recipient, each with its own link, and says so in the preview", async () => {
    const tenant = await tenantWithUnsubscribe();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", {
      body: { recipients: { to: ["ann@example.com", "bob@example.com"], cc: ["cat@example.com"], bcc: ["dan@example.com"] }, content },
    });
    expect(res.status).toBe(200);
    const emails = (await json(res)).email;
    expect(emails.map((e: any) => e.recipients)).toEqual([{ to: ["ann@example.com"] }, { to: ["bob@example.com"] }, { to: ["cat@example.com"] }, { to: ["dan@example.com"] }]);
    // A preview shows the headers' form with a link that works for no one: a working link would
    // let any key that may preview (test, send-only) suppress whatever address it names.
    for (const e of emails) {
      expect(e.headers["List-Unsubscribe"]).toBe(`<${BASE}/u/preview>`);
      expect(e.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    }
    const post = await call("POST", "/u/preview", { headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: "List-Unsubscribe=One-Click" });
    expect(post.status).toBe(404);
    expect(await suppressions(tenant)).toEqual([]);
  });

  it("reaches the provider: SES raw MIME carries both headers; status keeps one row per recipient with its role", async () => {
    const tenant = await tenantWithUnsubscribe();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { to: ["ann@example.com"], cc: ["cat@example.com"] }, content } });
    expect(res.status).toBe(201);
    const { notifyId, channels } = await json(res);
    expect(channels).toEqual({ email: 2 });
    await waitForNotification(tenant, notifyId);
    expect(mocks.captured.ses).toHaveLength(2);
    for (const sent of mocks.captured.ses) {
      const header = sent.mime.headers.find((h) => h.key === "list-unsubscribe")!.value;
      expect(linkPath(header)).toMatch(/^\/u\/[\w-]+(\.[\w-]*){4}$/);
      // One email per recipient: sent one by one (raw MIME) or together (SendBulkEmail, headers per entry).
      if (sent.bulk) expect(sent.mime.headers).toContainEqual({ key: "list-unsubscribe-post", value: "List-Unsubscribe=One-Click" });
      else expect(sent.raw).toContain("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    const destinations = mocks.captured.ses.map((s) => s.destination.ToAddresses![0]!).sort();
    expect(destinations).toEqual(["ann@example.com", "cat@example.com"]);
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(status.messages.map((m: any) => [m.recipient, m.role]).sort()).toEqual([["ann@example.com", "to"], ["cat@example.com", "cc"]]);
  });
});

describe("one-click unsubscribe: the link", () => {
  it("GET shows a confirmation page with a POST button and suppresses nothing", async () => {
    const tenant = await tenantWithUnsubscribe();
    const path = await sentLink(tenant);
    for (let i = 0; i < 2; i++) {
      const page = await call("GET", path, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.headers.get("cache-control")).toBe("no-store");
      const text = await page.text();
      expect(text).toContain("Funding Programs");
      expect(text).toContain("a•••@example.com");
      expect(text).toContain(`<form method="post" action="${path}">`);
      expect(text).not.toContain("ann@example.com");
    }
    expect(await suppressions(tenant)).toEqual([]);
  });

  it("POST (RFC 8058 body) suppresses the recipient with source unsubscribe; a second POST is idempotent; later sends leave them out", async () => {
    const tenant = await tenantWithUnsubscribe();
    const path = await sentLink(tenant, "Ann@Example.com");
    const post = () => call("POST", path, { headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: "List-Unsubscribe=One-Click" });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ unsubscribed: true, channel: "email" });
    const items = await suppressions(tenant);
    expect(items).toEqual([expect.objectContaining({ channel: "email", recipient: "ann@example.com", source: "unsubscribe", reason: "Unsubscribed (one-click)" })]);
    expect((await post()).status).toBe(200);
    expect(await suppressions(tenant)).toEqual(items);

    const send = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: { recipients: { to: ["ann@example.com"] }, content } });
    expect(send.status).toBe(422);
  });

  it("the page's button (a browser form POST) answers an HTML page", async () => {
    const tenant = await tenantWithUnsubscribe();
    const path = await sentLink(tenant);
    const res = await call("POST", path, { headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, rawBody: "List-Unsubscribe=One-Click" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("You are unsubscribed");
    expect(await suppressions(tenant)).toHaveLength(1);
  });

  it("refuses a forged, tampered or expired token (HTML for browsers, problem+json otherwise) and changes nothing", async () => {
    const tenant = await tenantWithUnsubscribe();
    const path = await sentLink(tenant);
    const token = path.slice(3);
    // One character of the ciphertext (4th part) changed.
    const parts = token.split(".");
    const ciphertext = parts[3]!;
    parts[3] = `${ciphertext[0] === "A" ? "B" : "A"}${ciphertext.slice(1)}`;
    const tampered = `/u/${parts.join(".")}`;
    const otherKey = await issueUnsubscribeToken({ UNSUBSCRIBE_TOKEN_KEY: "another-key-0123456789abcdef" }, { tenantId: tenant.id, channel: "email", recipient: "ann@example.com" }, new Date());
    const expired = await issueUnsubscribeToken(env, { tenantId: tenant.id, channel: "email", recipient: "ann@example.com" }, new Date(Date.now() - 91 * 86_400_000));
    const cases: [string, number][] = [
      [tampered, 404],
      [`/u/${otherKey}`, 404],
      ["/u/not-a-token", 404],
      [`/u/${expired}`, 400],
    ];
    for (const [p, status] of cases) {
      for (const method of ["GET", "POST"]) {
        const html = await call(method, p, { headers: { accept: "text/html" } });
        expect(html.status, `${method} ${p}`).toBe(status);
        expect(await html.text()).toContain(status === 400 ? "This link has expired" : "This link is not valid");
        const api = await call(method, p, { headers: { accept: "application/json" } });
        expect(api.status).toBe(status);
        expect(api.headers.get("content-type")).toContain("application/problem+json");
      }
    }
    expect(await suppressions(tenant)).toEqual([]);
  });

  it("a link for a tenant that does not exist is refused", async () => {
    const token = await issueUnsubscribeToken(env, { tenantId: crypto.randomUUID(), channel: "email", recipient: "ann@example.com" }, new Date());
    expect((await call("POST", `/u/${token}`)).status).toBe(404);
  });
});
