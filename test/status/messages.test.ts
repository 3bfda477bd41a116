import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { toPageRequest } from "../../src/lib/pagination";
import type { ServiceContext } from "../../src/services/context";
import { listNotificationMessages, type MessageFilter } from "../../src/services/notifications/messages";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Test keys and delayed sends: nothing is delivered while the tests read, so statuses change only
// where a test sets them.
let tenant: TestTenant;
let other: TestTenant;
let notifyId: string;

const later = () => new Date(Date.now() + 3_600_000).toISOString();
const emails = (n: number, prefix = "r") => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);
const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+1778700${String(1000 + i)}`);

async function send(owner: TestTenant, body: object): Promise<string> {
  const res = await asTenant(owner, "POST", "/api/v1/notifysimple", { key: owner.keys.test, body: { ...body, delayedSend: later() } });
  expect(res.status).toBe(201);
  return (await json(res)).notifyId;
}

beforeAll(async () => {
  tenant = await createTestTenant("Messages");
  other = await createTestTenant("Messages other");
  // One notification of 100 messages: an email to 50 addresses (one row each) and 50 SMS.
  notifyId = await send(tenant, {
    email: { recipients: { to: emails(50) }, content: { subject: "s", body: "b" } },
    sms: { recipients: { to: numbers(50) }, content: { body: "b" } },
  });
});

const page = async (query: string, id = notifyId, owner = tenant) => {
  const res = await asTenant(owner, "GET", `/api/v1/notify/${id}/messages?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};

/** Follows nextCursor to the end; returns the size of each page and every item. */
async function readAll(query: string) {
  const sizes: number[] = [];
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const p: any = await page(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    sizes.push(p.items.length);
    items.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor);
  return { sizes, items };
}

describe("GET /api/v1/notify/{notifyId}/messages", () => {
  it("pages through every message once, newest first, in the shape GET /notify/{id} answers", async () => {
    const { sizes, items } = await readAll("limit=20");
    expect(sizes).toEqual([20, 20, 20, 20, 20]);
    const ids = items.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(100);
    const keys = items.map((m) => [Date.parse(m.createdAt), m.messageId] as const);
    const sorted = [...keys].sort((a, b) => b[0] - a[0] || (b[1] < a[1] ? -1 : b[1] > a[1] ? 1 : 0));
    expect(keys).toEqual(sorted);

    const whole = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    const byId = (a: any, b: any) => (a.messageId < b.messageId ? -1 : 1);
    expect([...items].sort(byId)).toEqual([...whole.messages].sort(byId));
  });

  it("defaults to 50 a page and allows at most 200", async () => {
    const first = await page("");
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect((await page("limit=200")).items).toHaveLength(100);
    expect((await page("limit=200")).nextCursor).toBeNull();
    for (const limit of ["0", "201", "x"]) {
      expect((await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/messages?limit=${limit}`)).status, limit).toBe(400);
    }
  });

  it("filters by channel: the email's 50 recipients come 20/20/10", async () => {
    const { sizes, items } = await readAll("channel=email&limit=20");
    expect(sizes).toEqual([20, 20, 10]);
    expect(new Set(items.map((m) => m.recipient))).toEqual(new Set(emails(50)));
    expect(items.every((m) => m.channel === "email" && m.role === "to")).toBe(true);
    const sms = await readAll("channel=sms&limit=200");
    expect(sms.items).toHaveLength(50);
    expect(sms.items.every((m) => m.channel === "sms")).toBe(true);
    expect((await page("channel=msgApp")).items).toEqual([]);
  });

  it("filters by status, alone and with channel", async () => {
    const id = await send(tenant, {
      email: { recipients: { to: emails(10, "s") }, content: { subject: "s", body: "b" } },
      sms: { recipients: { to: numbers(10) }, content: { body: "b" } },
    });
    // Three of the email's recipients and two texts failed permanently.
    const fail = (channel: string, n: number) =>
      env.DB.prepare(
        "UPDATE messages SET status = 'permanent-failure' WHERE id IN (SELECT id FROM messages WHERE notification_id = ? AND channel = ? ORDER BY id LIMIT ?)",
      ).bind(id, channel, n);
    await env.DB.batch([fail("email", 3), fail("sms", 2)]);
    const failed = await page("status=permanent-failure&limit=2", id);
    expect(failed.items).toHaveLength(2);
    const rest = await page(`status=permanent-failure&limit=2&cursor=${encodeURIComponent(failed.nextCursor)}`, id);
    const last = await page(`status=permanent-failure&limit=2&cursor=${encodeURIComponent(rest.nextCursor)}`, id);
    expect(last.nextCursor).toBeNull();
    const all = [...failed.items, ...rest.items, ...last.items];
    expect(all).toHaveLength(5);
    expect(all.every((m) => m.status === "permanent-failure")).toBe(true);
    const emailFailures = (await page("status=permanent-failure&channel=email", id)).items;
    expect(emailFailures.map((m: any) => m.channel)).toEqual(["email", "email", "email"]);
    expect((await page("status=scheduled&channel=sms", id)).items).toHaveLength(8);
    expect((await page("status=delivered", id)).items).toEqual([]);
    expect((await asTenant(tenant, "GET", `/api/v1/notify/${id}/messages?status=failed`)).status).toBe(400);
    expect((await asTenant(tenant, "GET", `/api/v1/notify/${id}/messages?channel=fax`)).status).toBe(400);
  });

  it("keeps pages stable while messages of other notifications, and newer ones of this one, arrive", async () => {
    const first = await page("channel=email&limit=20");
    const before = await readAll("channel=email&limit=20");

    // Other sends arrive (three SMS to 50 numbers each: 150 newer messages of other notifications) …
    for (let i = 0; i < 3; i++) await send(tenant, { sms: { recipients: { to: numbers(50) }, content: { body: `b${i}` } } });
    // … and this notification gains a message newer than every page read so far (as a merge's
    // fan-out adds rows while someone pages).
    const existing = await env.DB.prepare("SELECT delivery_id, tenant_id FROM messages WHERE notification_id = ? AND channel = 'email' LIMIT 1")
      .bind(notifyId)
      .first<{ delivery_id: string; tenant_id: string }>();
    const now = Date.now() + 1000;
    await env.DB.prepare(
      "INSERT INTO messages (id, delivery_id, notification_id, tenant_id, channel, recipient, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'email', 'late@example.com', 'to', 'scheduled', ?, ?)",
    )
      .bind(crypto.randomUUID(), existing!.delivery_id, notifyId, existing!.tenant_id, now, now)
      .run();

    const second = await page(`channel=email&limit=20&cursor=${encodeURIComponent(first.nextCursor)}`);
    const third = await page(`channel=email&limit=20&cursor=${encodeURIComponent(second.nextCursor)}`);
    expect([...first.items, ...second.items, ...third.items].map((m) => m.messageId)).toEqual(before.items.map((m) => m.messageId));
    expect(third.nextCursor).toBeNull();
    // A fresh read starts with the newcomer.
    expect((await page("channel=email&limit=1")).items[0].recipient).toBe("late@example.com");
  });

  it("refuses a cursor it did not produce with a 400 naming query.cursor", async () => {
    const forged = btoa(JSON.stringify({ t: 1, id: "x" })).replace(/=+$/, "");
    for (const cursor of ["garbage!", "bm90LWpzb24", forged, "x".repeat(513)]) {
      const res = await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/messages?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      const problem = await json(res);
      expect(JSON.stringify(problem.errors ?? problem), cursor).toContain("cursor");
    }
  });

  it("answers 404 for another tenant's notification and for an unknown one, and 400 for a malformed id", async () => {
    const res = await asTenant(other, "GET", `/api/v1/notify/${notifyId}/messages`);
    expect(res.status).toBe(404);
    expect((await json(res)).code).toBe("not_found");
    // Even a filter that would match nothing must not turn "not yours" into an empty page.
    expect((await asTenant(other, "GET", `/api/v1/notify/${notifyId}/messages?status=delivered`)).status).toBe(404);
    expect((await asTenant(tenant, "GET", `/api/v1/notify/${crypto.randomUUID()}/messages`)).status).toBe(404);
    expect((await asTenant(tenant, "GET", "/api/v1/notify/not-a-uuid/messages")).status).toBe(400);
    // The owner of another notification sees only its own.
    const theirs = await send(other, { sms: { recipients: { to: numbers(2) }, content: { body: "b" } } });
    expect((await page("", theirs, other)).items).toHaveLength(2);
    expect((await asTenant(tenant, "GET", `/api/v1/notify/${theirs}/messages`)).status).toBe(404);
  });

  it("is served by an index: no sort and no scan of the notification's messages, with or without a status filter", async () => {
    // Runs the service's own query against a D1 that records each statement, then asks SQLite for
    // the plan of the statement that reads the messages.
    const statements: { sql: string; params: unknown[] }[] = [];
    const recording = new Proxy(env.DB, {
      get(target, prop) {
        if (prop !== "prepare") return Reflect.get(target, prop, target);
        return (sql: string) => {
          const entry = { sql, params: [] as unknown[] };
          statements.push(entry);
          const statement = target.prepare(sql);
          return new Proxy(statement, {
            get(st, p) {
              if (p !== "bind") return Reflect.get(st, p, st);
              return (...params: unknown[]) => {
                entry.params = params;
                return st.bind(...params);
              };
            },
          });
        };
      },
    });
    const ctx = { db: createDb(recording), tenant: { id: tenant.id } } as unknown as ServiceContext;
    const plan = async (filter: MessageFilter) => {
      statements.length = 0;
      const first = await listNotificationMessages(ctx, notifyId, filter, { limit: 1 });
      await listNotificationMessages(ctx, notifyId, filter, toPageRequest({ limit: 1, cursor: first.nextCursor ?? undefined }));
      const read = statements.filter((s) => /from "messages"/i.test(s.sql)).at(-1)!;
      const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${read.sql}`).bind(...read.params).all<{ detail: string }>();
      return rows.results.map((r) => r.detail).join("\n");
    };
    const plain = await plan({});
    expect(plain).toMatch(/SEARCH messages USING (COVERING )?INDEX messages_page_idx/);
    expect(plain).not.toMatch(/TEMP B-TREE/);
    const byStatus = await plan({ status: "scheduled" });
    expect(byStatus).toMatch(/SEARCH messages USING (COVERING )?INDEX messages_status_page_idx/);
    expect(byStatus).not.toMatch(/TEMP B-TREE/);
    const byChannel = await plan({ channel: "email" });
    expect(byChannel).not.toMatch(/TEMP B-TREE/);
  });
});
