import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Queue dispatch", { status: "live" });
});
afterEach(() => {
  mocks.reset();
  vi.restoreAllMocks();
});
afterAll(() => mocks.server.close());

/** A stored delivery the real queue was not given (scheduled, then marked queued by hand). */
async function queuedDelivery(): Promise<{ notifyId: string; deliveryId: string }> {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
    body: { recipients: { to: ["someone@example.com"] }, content: { subject: "Hello", body: "Body" }, delayedSend: new Date(Date.now() + 3_600_000).toISOString() },
  });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const row = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ?").bind(notifyId).first<{ id: string }>();
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ? WHERE id = ?").bind(Date.now(), row!.id),
    env.DB.prepare("UPDATE messages SET status = 'created' WHERE delivery_id = ?").bind(row!.id),
  ]);
  return { notifyId, deliveryId: row!.id };
}

/** Runs the Worker's queue handler on one batch; `logged` holds the structured error lines. */
async function consume(queue: string, bodies: unknown[], workerEnv: typeof env = env, attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  const ctx = createExecutionContext();
  await worker.queue(batch, workerEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  const logged = errors.mock.calls.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>);
  errors.mockRestore();
  return { ...result, ids: batch.messages.map((m) => m.id), logged };
}

const messageStatus = async (notifyId: string) => (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`))).messages[0];

describe("queue dispatch: the deliver queue", () => {
  it("delivers a valid message and acknowledges it", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    const result = await consume("notify-deliver", [{ deliveryId, tenantId: tenant.id }]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
    expect(await messageStatus(notifyId)).toMatchObject({ status: "delivered" });
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("retries a malformed body (never acknowledges it) and logs the queue and message id", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    const malformed = [null, "hello", [deliveryId], {}, { deliveryId: 42, tenantId: tenant.id }, { deliveryId }, { deliveryId: "not-a-uuid", tenantId: tenant.id }];
    const result = await consume("notify-deliver", malformed);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(result.ids);
    for (const id of result.ids) {
      expect(result.logged).toContainEqual(expect.objectContaining({ level: "error", queue: "notify-deliver", messageId: id }));
    }
    // The delivery the half-valid body names was not touched: no provider call, still waiting.
    expect(mocks.captured.ses).toHaveLength(0);
    expect(await messageStatus(notifyId)).toMatchObject({ status: "created" });
  });

  it("logs the shape of a bad body, never its values", async () => {
    const result = await consume("notify-deliver", [{ deliveryId: 7, secret: "do-not-log@example.com" }]);
    expect(result.retryMessages).toHaveLength(1);
    const line = JSON.stringify(result.logged);
    expect(line).toContain('"keys":["deliveryId","secret"]');
    expect(line).not.toContain("do-not-log@example.com");
  });

  it("acknowledges valid messages of a batch and retries only the malformed one", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    const result = await consume("notify-deliver", [{ deliveryId, tenantId: tenant.id }, { nope: true }]);
    expect(result.explicitAcks).toEqual([result.ids[0]]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([result.ids[1]]);
    expect(await messageStatus(notifyId)).toMatchObject({ status: "delivered" });
  });
});

describe("queue dispatch: queue names", () => {
  it("retries messages of queues without a handler yet (fan-out, events) and of unknown queues", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    // A valid deliver body on the wrong queue is still not processed: dispatch is by queue name.
    const body = { deliveryId, tenantId: tenant.id };
    for (const queue of ["notify-fanout", "notify-events", "notify-unknown", "notify-deliver-ca", "xnotify-deliver", "notify-dead-letter-ca"]) {
      const result = await consume(queue, [body]);
      expect(result.explicitAcks, queue).toEqual([]);
      expect(result.retryMessages.map((m) => m.msgId), queue).toEqual(result.ids);
      expect(result.logged, queue).toContainEqual(expect.objectContaining({ queue, messageId: result.ids[0] }));
    }
    expect(mocks.captured.ses).toHaveLength(0);
    expect(await messageStatus(notifyId)).toMatchObject({ status: "created" });
  });

  it("matches the names of a deployment whose queues carry QUEUE_NAME_SUFFIX, and only those", async () => {
    const regional: typeof env = { ...env, QUEUE_NAME_SUFFIX: "-ca" };
    const { notifyId, deliveryId } = await queuedDelivery();
    const body = { deliveryId, tenantId: tenant.id };

    const unsuffixed = await consume("notify-deliver", [body], regional);
    expect(unsuffixed.retryMessages).toHaveLength(1);
    expect(mocks.captured.ses).toHaveLength(0);

    const suffixed = await consume("notify-deliver-ca", [body], regional);
    expect(suffixed.explicitAcks).toEqual(suffixed.ids);
    expect(await messageStatus(notifyId)).toMatchObject({ status: "delivered" });

    const other = await queuedDelivery();
    const dead = await consume("notify-dead-letter-ca", [{ deliveryId: other.deliveryId, tenantId: tenant.id }], regional, 11);
    expect(dead.explicitAcks).toEqual(dead.ids);
    expect(await messageStatus(other.notifyId)).toMatchObject({ status: "technical-failure", error: { code: "dead_lettered" } });
  });
});

describe("queue dispatch: the dead-letter queue", () => {
  it("records a malformed dead letter and acknowledges it (retrying would only loop), without throwing", async () => {
    const result = await consume("notify-dead-letter", [null, "garbage", [1, 2], { what: "ever" }], env, 11);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
    for (const id of result.ids) {
      expect(result.logged).toContainEqual(expect.objectContaining({ queue: "notify-dead-letter", messageId: id, attempts: 11 }));
    }
  });

  it("settles the delivery a malformed dead letter still names", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    const result = await consume("notify-dead-letter", [{ deliveryId }], env, 11);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.logged).toContainEqual(expect.objectContaining({ queue: "notify-dead-letter", messageId: result.ids[0], deliveryId }));
    expect(await messageStatus(notifyId)).toMatchObject({ status: "technical-failure", error: { code: "dead_lettered" } });
    expect(mocks.captured.ses).toHaveLength(0);
  });

  it("a dead letter naming a delivery that does not exist is acknowledged", async () => {
    const result = await consume("notify-dead-letter", [{ deliveryId: crypto.randomUUID(), tenantId: tenant.id }, { deliveryId: "x".repeat(40) }], env, 11);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
  });

  it("never throws out of the handler when D1 fails: the message is retried with a delay, the batch's others still handled", async () => {
    const broken: typeof env = {
      ...env,
      DB: new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "prepare" || prop === "batch") {
            return () => {
              throw new Error("D1 is unavailable");
            };
          }
          return Reflect.get(target, prop, target);
        },
      }),
    };
    const result = await consume("notify-dead-letter", [{ deliveryId: crypto.randomUUID(), tenantId: tenant.id }, "garbage"], broken, 11);
    // The readable one needs D1 and goes back to the queue; the unreadable one needs nothing.
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([result.ids[0]]);
    expect(result.explicitAcks).toEqual([result.ids[1]]);
    expect(result.logged).toContainEqual(expect.objectContaining({ message: "queue message failed", queue: "notify-dead-letter", messageId: result.ids[0] }));
  });
});
