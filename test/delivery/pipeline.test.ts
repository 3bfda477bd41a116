import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Pipeline", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const email = {
  recipients: { to: ["someone@example.com"] },
  content: { subject: "Hello", body: "Body" },
};

/**
 * A stored delivery that the real queue has not been given: sent as a scheduled notification,
 * then marked queued by hand, so each test drives the consumer itself.
 */
async function queuedDelivery(body: object = email): Promise<{ notifyId: string; deliveryId: string }> {
  const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { ...body, delayedSend } });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const row = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ?").bind(notifyId).first<{ id: string }>();
  // By hand, so the notification's counts are moved by hand too (the cron's release does both).
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ? WHERE id = ?").bind(Date.now(), row!.id),
    env.DB.prepare("UPDATE messages SET status = 'created' WHERE delivery_id = ?").bind(row!.id),
    env.DB.prepare(
      "UPDATE notifications SET count_created = count_created + count_scheduled, count_scheduled = 0, status = 'accepted' WHERE id = ?",
    ).bind(notifyId),
  ]);
  return { notifyId, deliveryId: row!.id };
}

/** Runs the real consumer on a batch; `delays` records the delay each retried message asked for. */
async function consume(deliveryIds: string[], queue = "notify-deliver", attempts = 1) {
  const batch = createMessageBatch(
    queue,
    deliveryIds.map((deliveryId, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body: { deliveryId, tenantId: tenant.id } })),
  );
  // getQueueResult does not report per-message delays, so the calls are watched directly.
  const delays: (number | undefined)[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays.push(options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

const status = async (notifyId: string) => json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));

describe("delivery consumer", () => {
  it("retries a 5xx with backoff, then delivers; the attempt count and the error are visible meanwhile", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    mocks.failNext("ses", { status: 503, body: { message: "Service Unavailable" } });

    const first = await consume([deliveryId]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.delays[0]).toBeGreaterThanOrEqual(12);
    const waiting = await status(notifyId);
    expect(waiting.status).toBe("sending");
    expect(waiting.messages[0]).toMatchObject({ status: "sending", attempts: 1, error: { code: "provider_unavailable", retryable: true } });

    const second = await consume([deliveryId], "notify-deliver", 2);
    expect(second.explicitAcks).toHaveLength(1);
    const done = await status(notifyId);
    expect(done.status).toBe("delivered");
    expect(done.messages[0]).toMatchObject({ status: "delivered", attempts: 2, error: null, providerMessageId: mocks.messageId("ses", 1) });
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("honours Retry-After on a 429", async () => {
    const { deliveryId } = await queuedDelivery();
    mocks.failNext("ses", { status: 429, body: { message: "Maximum sending rate exceeded." }, headers: { "retry-after": "120" } });
    const result = await consume([deliveryId]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays[0]).toBeGreaterThanOrEqual(120);
  });

  it("records a provider's refusal as a permanent failure and does not retry", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    mocks.failNext("ses", { status: 400, body: { __type: "MessageRejected", message: "Email address is not verified." } });
    const result = await consume([deliveryId]);
    expect(result.explicitAcks).toHaveLength(1);
    const final = await status(notifyId);
    expect(final.status).toBe("failed");
    expect(final.messages[0]).toMatchObject({ status: "permanent-failure", error: { code: "provider_rejected", retryable: false, httpStatus: 400 } });
  });

  it("gives up after 5 attempts with a technical failure", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    for (let i = 0; i < 5; i++) mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    for (let attempt = 1; attempt <= 4; attempt++) expect((await consume([deliveryId], "notify-deliver", attempt)).retryMessages).toHaveLength(1);
    const last = await consume([deliveryId], "notify-deliver", 5);
    expect(last.explicitAcks).toHaveLength(1);
    const final = await status(notifyId);
    expect(final.messages[0]).toMatchObject({ status: "technical-failure", attempts: 5, error: { code: "provider_unavailable", retryable: false } });
    expect(final.messages[0].error.message).toContain("gave up after 5 attempts");
  });

  it("a provider that takes the request and never answers: an unknown outcome, not resent", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    mocks.failNext("ses", { stall: true });
    const result = await consume([deliveryId]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(mocks.stalled.ses).toBe(1);
    const final = await status(notifyId);
    expect(final.messages[0]).toMatchObject({ status: "technical-failure", attempts: 1, error: { code: "outcome_unknown", retryable: false } });
    expect(final.messages[0].error.message).toContain("not resent to avoid a duplicate");

    // A redelivery of the same queue message finds the delivery settled and calls nobody.
    await consume([deliveryId], "notify-deliver", 2);
    expect(mocks.stalled.ses + mocks.captured.ses.length).toBe(1);
  });

  it("treats refused credentials as a technical failure (our side), not the recipient's", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    mocks.failNext("ses", { status: 403, body: { __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." } });
    await consume([deliveryId]);
    expect((await status(notifyId)).messages[0]).toMatchObject({ status: "technical-failure", error: { code: "provider_misconfigured" } });
  });
});

describe("the duplicate-delivery guard", () => {
  it("a queue message delivered twice in one batch makes one provider call", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    const result = await consume([deliveryId, deliveryId]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(mocks.captured.ses).toHaveLength(1);
    expect((await status(notifyId)).status).toBe("delivered");
  });

  it("a redelivery after success makes no second call", async () => {
    const { deliveryId } = await queuedDelivery();
    await consume([deliveryId]);
    const again = await consume([deliveryId], "notify-deliver", 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("concurrent consumers of the same delivery make one call", async () => {
    const { deliveryId } = await queuedDelivery();
    await Promise.all([consume([deliveryId]), consume([deliveryId]), consume([deliveryId])]);
    expect(mocks.captured.ses).toHaveLength(1);
  });
});

describe("nothing is lost", () => {
  it("the cron re-enqueues a queued delivery the queue never saw, and it is delivered", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    await env.DB.prepare("UPDATE deliveries SET enqueued_at = ? WHERE id = ?").bind(Date.now() - 11 * 60_000, deliveryId).run();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, createExecutionContext());
    const final = await waitForNotification(tenant, notifyId);
    expect(final.status).toBe("delivered");
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("an attempt whose worker vanished becomes a visible technical failure, not a silent resend", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    await env.DB.prepare("UPDATE deliveries SET state = 'in_flight', lease_until = ?, lease_token = 'gone', attempts = 1 WHERE id = ?")
      .bind(Date.now() - 1000, deliveryId)
      .run();
    await env.DB.batch([
      env.DB.prepare("UPDATE messages SET status = 'sending' WHERE delivery_id = ?").bind(deliveryId),
      env.DB.prepare("UPDATE notifications SET count_sending = count_created, count_created = 0, status = 'sending' WHERE id = ?").bind(notifyId),
    ]);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env, createExecutionContext());
    const final = await status(notifyId);
    expect(final.messages[0]).toMatchObject({ status: "technical-failure", error: { code: "outcome_unknown" } });
    expect(mocks.captured.ses).toHaveLength(0);
  });

  it("a message the queue dead-letters is recorded as a technical failure", async () => {
    const { notifyId, deliveryId } = await queuedDelivery();
    const result = await consume([deliveryId], "notify-dead-letter", 11);
    expect(result.explicitAcks).toHaveLength(1);
    const final = await status(notifyId);
    expect(final.status).toBe("failed");
    expect(final.messages[0]).toMatchObject({ status: "technical-failure", error: { code: "dead_lettered" } });
    expect(mocks.captured.ses).toHaveLength(0);
  });
});
