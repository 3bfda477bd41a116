import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { createDb } from "../../src/db/client";
import { deliverCallbackEvent } from "../../src/services/callbacks/deliver";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { type Answer, createReceiver } from "./receiver";

// Real queues carry every event: a test waits for them (the schedule's 5 s retry among them).
vi.setConfig({ testTimeout: 30_000 });

const mocks = createProviderMocks();
const receiver = createReceiver(mocks.server);
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mocks.server.close());

const email = { recipients: { to: ["ann@example.com"] }, content: { subject: "Hello", body: "Body" } };

async function setup(registration: Record<string, unknown> = {}, ...answers: Answer[]) {
  const tenant = await createTestTenant();
  const url = receiver.url(...answers);
  const res = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url, channelType: ["email"], trigger: ["success", "failure"], ...registration } });
  expect(res.status).toBe(201);
  const created = await json(res);
  return { tenant, url, callbackId: created.callbackId as string, secret: created.secret as string };
}

async function send(tenant: TestTenant, body: object = email, key = tenant.keys.test): Promise<string> {
  // Each send is a new notification, not a duplicate of the last within the duplicate window.
  body = { ...body, allowDuplicate: true };
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body, key });
  expect(res.status).toBe(201);
  return (await json(res)).notifyId;
}

const events = async (tenant: TestTenant, notifyId: string) => json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/callbacks`));

/** Polls the events route until `until` holds. */
async function eventsUntil(tenant: TestTenant, notifyId: string, until: (items: any[]) => boolean, timeoutMs = 15_000): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  let items: any[] = [];
  while (Date.now() < deadline) {
    items = (await events(tenant, notifyId)).items;
    if (until(items)) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`events never matched: ${JSON.stringify(items)}`);
}

const verify = (secret: string, r: { body: string; headers: Record<string, string> }) => new Webhook(secret).verify(r.body, r.headers);

describe("status callbacks for a send", () => {
  it("a test-key send fires signed sending and delivered events, verified with standardwebhooks", async () => {
    const { tenant, url, secret, callbackId } = await setup({ statuses: ["sending"], headers: { Authorization: "Bearer receiver-token" } });
    const notifyId = await send(tenant, { ...email, correlationId: "case-42", tags: ["funding"] });
    const got = await receiver.waitFor(url, 2);
    const byStatus = Object.fromEntries(got.map((r) => [r.json.status, r]));
    expect(Object.keys(byStatus).sort()).toEqual(["delivered", "sending"]);
    expect(Date.parse(byStatus.sending!.json.occurredAt)).toBeLessThanOrEqual(Date.parse(byStatus.delivered!.json.occurredAt));
    for (const r of got) {
      expect(verify(secret, r)).toMatchObject({ type: "message.status", notifyId });
      expect(r.headers["webhook-id"]).toBe(r.json.id);
      expect(r.headers["webhook-id"]).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(r.headers.authorization).toBe("Bearer receiver-token");
      expect(r.headers["content-type"]).toBe("application/json");
    }
    expect(byStatus.delivered!.json).toMatchObject({
      type: "message.status",
      notifyId,
      channel: "email",
      recipient: "ann@example.com",
      status: "delivered",
      provider: "simulator",
      correlationId: "case-42",
      tags: ["funding"],
    });
    expect(() => new Webhook(`whsec_${btoa("x".repeat(32))}`).verify(got[0]!.body, got[0]!.headers)).toThrow();

    const items = await eventsUntil(tenant, notifyId, (i) => i.length === 2 && i.every((e) => e.state === "delivered"));
    for (const e of items) {
      expect(e).toMatchObject({ callbackId, state: "delivered", nextAttemptAt: null });
      expect(e.attempts).toEqual([expect.objectContaining({ attempt: 1, httpStatus: 200, error: null, responseSnippet: "ok" })]);
    }
  });

  it("a failure carries its detail; a registration for success only hears nothing of it", async () => {
    const { tenant, url } = await setup();
    const only = receiver.url();
    await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: only, channelType: ["email"], trigger: ["success"] } });
    await send(tenant, { ...email, recipients: { to: ["perm-fail@simulator.notify"] } });
    const [event] = await receiver.waitFor(url, 1);
    expect(event!.json).toMatchObject({ status: "permanent-failure", retryable: false, code: "permanent_failure" });
    expect(event!.json.detail).toContain("permanent-failure");
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at(only)).toEqual([]);
  });
});

describe("retries and stops", () => {
  it("500 then 200: two attempts logged, delivered with the same webhook-id", async () => {
    const { tenant, url } = await setup({}, { status: 500, body: "boom" });
    const notifyId = await send(tenant);
    const got = await receiver.waitFor(url, 2, 20_000);
    expect(got[0]!.headers["webhook-id"]).toBe(got[1]!.headers["webhook-id"]);
    const [event] = await eventsUntil(tenant, notifyId, (i) => i[0]?.state === "delivered");
    expect(event.attempts.map((a: any) => [a.attempt, a.httpStatus])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect(event.attempts[0]).toMatchObject({ error: "HTTP 500", responseSnippet: "boom" });
  }, 30_000);

  it("429 with Retry-After: the next attempt waits as long as asked", async () => {
    const { tenant } = await setup({}, { status: 429, headers: { "retry-after": "120" } });
    const notifyId = await send(tenant);
    const [event] = await eventsUntil(tenant, notifyId, (i) => i[0]?.attempts.length === 1 && i[0].state === "pending");
    const wait = Date.parse(event.nextAttemptAt) - Date.parse(event.attempts[0].at);
    expect(wait).toBeGreaterThanOrEqual(120_000);
    expect(wait).toBeLessThan(125_000);
  });

  it("410 Gone switches the registration off and fails the event", async () => {
    const { tenant, callbackId } = await setup({}, { status: 410 });
    const notifyId = await send(tenant);
    const [event] = await eventsUntil(tenant, notifyId, (i) => i[0]?.state === "failed");
    expect(event.attempts).toHaveLength(1);
    const registration = await json(await asTenant(tenant, "GET", `/api/v1/notify/registerCallback/${callbackId}`));
    expect(registration.active).toBe(false);
    expect(registration.disabledReason).toContain("410");
    // No further events for it until it is switched back on.
    const next = await send(tenant);
    await waitForNotification(tenant, next);
    await new Promise((r) => setTimeout(r, 300));
    expect((await events(tenant, next)).items).toEqual([]);
  });

  it("another 4xx stops at once", async () => {
    const { tenant } = await setup({}, { status: 400, body: "bad" });
    const notifyId = await send(tenant);
    const [event] = await eventsUntil(tenant, notifyId, (i) => i[0]?.state === "failed");
    expect(event.attempts).toEqual([expect.objectContaining({ httpStatus: 400, responseSnippet: "bad" })]);
    expect(event.attempts[0].error).toContain("not retried");
  });
});

/** A stored, un-enqueued outbox row for `notifyId`'s first message, for driving the consumer by hand. */
async function handMadeEvent(notifyId: string, callbackId: string, nextAttemptAt = Date.now()): Promise<string> {
  const id = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  const message = await env.DB.prepare("SELECT id, tenant_id FROM messages WHERE notification_id = ?").bind(notifyId).first<{ id: string; tenant_id: string }>();
  await env.DB.prepare(
    "INSERT INTO callback_events (id, tenant_id, notification_id, message_id, callback_id, status, state, attempts, series_start, next_attempt_at, occurred_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'delivered', 'pending', 0, 0, ?, ?, ?, ?)",
  )
    .bind(id, message!.tenant_id, notifyId, message!.id, callbackId, nextAttemptAt, Date.now(), Date.now(), Date.now())
    .run();
  return id;
}

/** A notification whose own events are all settled, and a registration not resolved for it. */
async function quietNotification() {
  const setupResult = await setup();
  const notifyId = await send(setupResult.tenant, { ...email, callbacks: [] });
  await waitForNotification(setupResult.tenant, notifyId);
  return { ...setupResult, notifyId };
}

describe("messages stored already finished", () => {
  it("a merge row that fails as it is fanned out owes its failure callback; the rows delivered owe none here", async () => {
    const { tenant, url } = await setup({ channelType: ["sms"], trigger: ["failure"] });
    const rows = Array.from({ length: 150 }, (_, i) => [`+1778720${String(i + 1).padStart(4, "0")}`, `P${i + 1}`]);
    rows[139]![1] = "x".repeat(1_000);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { key: tenant.keys.test, body: { recipients: { mergeArray: [["to", "name"], ...rows] }, content: { body: "Hi {{name}}" } } });
    expect(res.status).toBe(201);
    const notifyId = (await json(res)).notifyId;
    await waitForNotification(tenant, notifyId, undefined, 25_000);
    const [event] = await receiver.waitFor(url, 1);
    expect(event!.json).toMatchObject({ notifyId, recipient: "+17787200140", status: "technical-failure", code: "merge_row_failed", retryable: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at(url)).toHaveLength(1);
  });
});

describe("a cancel", () => {
  it("owes a callback to a registration that asked for cancelled", async () => {
    const { tenant, url } = await setup({ trigger: [], statuses: ["cancelled"] });
    const notifyId = await send(tenant, { ...email, delayedSend: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`)).status).toBe(200);
    const [event] = await receiver.waitFor(url, 1);
    expect(event!.json).toMatchObject({ notifyId, status: "cancelled", detail: null, code: null });
  });
});

describe("delivery guarantees", () => {
  it("a timeout is retried", async () => {
    const { tenant, callbackId, notifyId } = await quietNotification();
    const url = receiver.url({ stallMs: 3_000 });
    await env.DB.prepare("UPDATE callbacks SET url = ? WHERE id = ?").bind(url, callbackId).run();
    const eventId = await handMadeEvent(notifyId, callbackId);
    const outcome = await deliverCallbackEvent(createDb(env.DB), { ...env, CALLBACK_TIMEOUT_MS: "1000" }, eventId);
    expect(outcome).toBe("retrying");
    const [event] = (await events(tenant, notifyId)).items;
    expect(event).toMatchObject({ state: "pending", attempts: [expect.objectContaining({ attempt: 1, httpStatus: null, error: "timeout" })] });
    expect(event.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
  });

  it("a queue message delivered twice (and a concurrent copy) POSTs once", async () => {
    const { callbackId, notifyId, url } = await quietNotification();
    const eventId = await handMadeEvent(notifyId, callbackId);
    const batch = createMessageBatch("notify-events", [0, 1, 2].map((i) => ({ id: `m-${i}-${eventId}`, timestamp: new Date(), attempts: 1, body: { eventId } })));
    const ctx = createExecutionContext();
    await Promise.all([worker.queue(batch, env, ctx), deliverCallbackEvent(createDb(env.DB), env, eventId)]);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toHaveLength(3);
    expect(receiver.at(url)).toHaveLength(1);
  });

  it("the cron re-enqueues an outbox row whose enqueue was lost, and it is delivered", async () => {
    const { callbackId, notifyId, url } = await quietNotification();
    await handMadeEvent(notifyId, callbackId, Date.now() - 10 * 60_000);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, createExecutionContext());
    const [got] = await receiver.waitFor(url, 1);
    expect(got!.json).toMatchObject({ notifyId, status: "delivered" });
  });

  it("replay sends a failed event again as a new series with the same webhook-id", async () => {
    const { tenant, url } = await setup({}, { status: 400 });
    const notifyId = await send(tenant);
    const [failed] = await eventsUntil(tenant, notifyId, (i) => i[0]?.state === "failed");
    const res = await asTenant(tenant, "POST", `/api/v1/notify/${notifyId}/callbacks/${failed.eventId}/replay`);
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ eventId: failed.eventId, state: "pending" });
    const got = await receiver.waitFor(url, 2);
    expect(got[1]!.headers["webhook-id"]).toBe(failed.eventId);
    const [event] = await eventsUntil(tenant, notifyId, (i) => i[0]?.state === "delivered");
    expect(event.attempts.map((a: any) => [a.attempt, a.httpStatus])).toEqual([
      [1, 400],
      [2, 200],
    ]);
    // Replay needs manage; an unknown event is a 404.
    expect((await asTenant(tenant, "POST", `/api/v1/notify/${notifyId}/callbacks/${failed.eventId}/replay`, { key: tenant.keys.test })).status).toBe(403);
    expect((await asTenant(tenant, "POST", `/api/v1/notify/${notifyId}/callbacks/evt_${"0".repeat(32)}/replay`)).status).toBe(404);
  });
});

describe("secret rotation", () => {
  it("both secrets verify during the window, only the new one after it", async () => {
    const { tenant, url, secret: old, callbackId } = await setup();
    const rotated = await json(await asTenant(tenant, "POST", `/api/v1/notify/registerCallback/${callbackId}/rotateSecret`));
    await send(tenant);
    const [during] = await receiver.waitFor(url, 1);
    expect(during!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(verify(rotated.secret, during!)).toBeTruthy();
    expect(verify(old, during!)).toBeTruthy();

    await env.DB.prepare("UPDATE callbacks SET previous_secret_expires_at = ? WHERE id = ?").bind(Date.now() - 1, callbackId).run();
    await send(tenant);
    const after = (await receiver.waitFor(url, 2))[1]!;
    expect(after.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verify(rotated.secret, after)).toBeTruthy();
    expect(() => verify(old, after)).toThrow();
  });
});

describe("the callbacks setting through the cascade", () => {
  const preview = async (tenant: TestTenant, body: object) => json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true&explain=true", { body }));

  it("unset: every active registration for the channel; [] in the request turns them off", async () => {
    const { tenant, callbackId } = await setup();
    const sms = await json(await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: receiver.url(), channelType: ["sms"], trigger: ["success"] } }));
    const off = await json(await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: receiver.url(), channelType: ["email"], trigger: ["success"], active: false } }));
    const shown = await preview(tenant, email);
    expect(shown.resolution.callbacks).toEqual({ email: [callbackId] });
    expect(shown.resolution.channels.email.callbacks).toBe("system");
    expect(JSON.stringify(shown.resolution.callbacks)).not.toContain(sms.callbackId);
    expect(JSON.stringify(shown.resolution.callbacks)).not.toContain(off.callbackId);
    const none = await preview(tenant, { ...email, callbacks: [] });
    expect(none.resolution.callbacks).toBeUndefined();
    expect(none.resolution.channels.email.callbacks).toBe("request");
    const unknown = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: { ...email, callbacks: [crypto.randomUUID()] } });
    expect(unknown.status).toBe(422);
    // /notifysimple/email's body is the email channel itself.
    expect((await json(unknown)).errors[0].path).toBe("callbacks[0]");
  });

  it("a tenant default names which; a deleted one is skipped, not an error; an event type's wins over it", async () => {
    const { tenant, callbackId } = await setup();
    const second = await json(await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: receiver.url(), channelType: ["email"], trigger: ["success"] } }));
    const saved = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { callbacks: [second.callbackId] } } });
    expect(saved.status).toBe(200);
    const shown = await preview(tenant, email);
    expect(shown.resolution.callbacks).toEqual({ email: [second.callbackId] });
    expect(shown.resolution.channels.email.callbacks).toBe("tenant");

    const refused = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { callbacks: [crypto.randomUUID()] } } });
    expect(refused.status).toBe(422);
    expect((await json(refused)).errors[0].path).toMatch(/email\.callbacks\[0\]$/);

    const unknownEvent = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: { code: "cb-unknown", name: "Unknown callback", email: { recipients: { to: ["{{to}}"] }, content: { subject: "S", body: "B" }, callbacks: [crypto.randomUUID()] } },
    });
    expect(unknownEvent.status).toBe(422);
    expect((await json(unknownEvent)).errors).toEqual([expect.objectContaining({ path: "email.callbacks[0]" })]);
    const created = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: { code: "cb-event", name: "Callback event", email: { recipients: { to: ["{{to}}"] }, content: { subject: "S", body: "B" }, callbacks: [callbackId] } },
    });
    expect(created.status).toBe(201);
    const event = await json(await asTenant(tenant, "POST", "/api/v1/notifyevent?preview=true&explain=true", { body: { notificationEventType: "cb-event", params: { to: "bo@example.com" } } }));
    expect(event.resolution.callbacks).toEqual({ email: [callbackId] });
    expect(event.resolution.channels.email.callbacks).toBe("event");

    await asTenant(tenant, "DELETE", `/api/v1/notify/registerCallback/${second.callbackId}`);
    const after = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true&explain=true", { body: email });
    expect(after.status).toBe(200);
    expect((await json(after)).resolution.callbacks).toBeUndefined();
  });
});

describe("GET /api/v1/notify/{notifyId}/callbacks", () => {
  it("is read permission, paged, and another tenant's notification is a 404", async () => {
    const { tenant, url } = await setup({ statuses: ["sending"] });
    const notifyId = await send(tenant);
    await receiver.waitFor(url, 2);
    await eventsUntil(tenant, notifyId, (i) => i.length === 2);
    const page = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/callbacks?limit=1`, { key: tenant.keys.test }));
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBeTruthy();
    const rest = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/callbacks?limit=1&cursor=${page.nextCursor}`));
    expect(rest.items).toHaveLength(1);
    expect(rest.items[0].eventId).not.toBe(page.items[0].eventId);
    const stranger = await createTestTenant();
    expect((await asTenant(stranger, "GET", `/api/v1/notify/${notifyId}/callbacks`)).status).toBe(404);
  });
});
