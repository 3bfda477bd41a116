import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import type { CallOutcomes } from "../../src/durable-objects/provider-circuits";
import { circuitPolicy } from "../../src/services/circuits/policy";
import { json } from "../helpers/http";
import { createProviderMocks, SLACK_URL } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
/** Email ses then postmark, SMS twilio then vonage. */
let listed: TestTenant;
/** The system's single providers (ses, twilio). */
let single: TestTenant;
/** Email resend then ses: Resend de-duplicates by Idempotency-Key. */
let keyed: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  [listed, single, keyed] = await Promise.all([createTestTenant("Listed"), createTestTenant("Single"), createTestTenant("Keyed")]);
  await asTenant(listed, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: ["ses", "postmark"] }, sms: { provider: ["twilio", "vonage"] } } });
  await asTenant(keyed, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: ["resend", "ses"] } } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

/**
 * The deployment with circuits of its own: a circuit object no other test shares, opening after 3
 * failures within 60 s, cooling down for `cooldown` seconds. `circuitObjectCalls` counts how often
 * the delivery path reached for the object.
 */
function deployment(cooldown = 30, overrides: Partial<Env> = {}) {
  const name = crypto.randomUUID();
  const namespace = env.PROVIDER_CIRCUITS;
  const counter = { calls: 0 };
  const circuits = {
    idFromName: () => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      counter.calls++;
      return namespace.get(id);
    },
  } as unknown as Env["PROVIDER_CIRCUITS"];
  const testEnv = { ...env, CIRCUIT_FAILURE_THRESHOLD: "3", CIRCUIT_WINDOW_SECONDS: "60", CIRCUIT_COOLDOWN_SECONDS: String(cooldown), PROVIDER_CIRCUITS: circuits, ...overrides } as Env;
  const stub = namespace.get(namespace.idFromName(name));
  const policy = circuitPolicy(testEnv);
  // The object read with this deployment's rules (by default it would use the suite's).
  const object = {
    status: (names: string[]) => stub.status(names, Date.now(), policy),
    report: (outcomes: CallOutcomes[]) => stub.report(outcomes, Date.now(), policy),
  };
  return { env: testEnv, object, counter };
}

const email = (to = "someone@example.com") => ({ recipients: { to: [to] }, content: { subject: "Hello", body: "Body" } });

/**
 * A stored delivery the real queue has not been given: sent as a delayed notification (the same
 * one each time, so past the duplicate window), then marked queued by hand (counts included), so
 * each test drives the consumer itself.
 */
async function queued(tenant: TestTenant, channel: "email" | "sms" | "msgApp" = "email", key?: string): Promise<{ notifyId: string; deliveryId: string }> {
  const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
  const body = {
    email: { ...email(), delayedSend },
    sms: { recipients: { to: ["+17787001234"] }, content: { body: "Hello" }, delayedSend },
    msgApp: { msgApp: { target: { type: "slack", url: SLACK_URL }, content: { body: "Hello" } }, delayedSend },
  }[channel];
  const path = channel === "msgApp" ? "/api/v1/notifysimple" : `/api/v1/notifysimple/${channel}`;
  const res = await asTenant(tenant, "POST", path, { body: { ...body, allowDuplicate: true }, ...(key ? { key } : {}) });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const row = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ?").bind(notifyId).first<{ id: string }>();
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ? WHERE id = ?").bind(Date.now(), row!.id),
    env.DB.prepare("UPDATE messages SET status = 'created' WHERE delivery_id = ?").bind(row!.id),
    env.DB.prepare("UPDATE notifications SET count_created = count_created + count_scheduled, count_scheduled = 0, status = 'accepted' WHERE id = ?").bind(notifyId),
  ]);
  return { notifyId, deliveryId: row!.id };
}

/** Runs the real consumer on one batch with `testEnv`; `delays` holds the delay of each retried message. */
async function consume(testEnv: Env, deliveryIds: string[], attempts = 1) {
  const batch = createMessageBatch(
    "notify-deliver",
    deliveryIds.map((deliveryId, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body: { deliveryId, tenantId: listed.id } })),
  );
  const delays: (number | undefined)[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options?: QueueRetryOptions) => {
      delays.push(options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

const status = async (tenant: TestTenant, notifyId: string) => json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
const attempts = async (tenant: TestTenant, notifyId: string) => (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/attempts`))).items;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("failover across a delivery's providers", () => {
  it("with one provider, a 500 then a 200 is delivered by it, with both attempts recorded", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(single);
    mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    const first = await consume(testEnv, [deliveryId]);
    expect(first.delays[0]).toBeGreaterThanOrEqual(12);
    await consume(testEnv, [deliveryId], 2);
    expect((await status(single, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "ses", attempts: 2, providerMessageId: mocks.messageId("ses", 1) });
    expect(await attempts(single, notifyId)).toMatchObject([
      { attempt: 2, provider: "ses", outcome: "accepted", providerMessageId: mocks.messageId("ses", 1), error: null },
      { attempt: 1, provider: "ses", outcome: "retryable", httpStatus: 500, error: { code: "provider_unavailable", message: "ses: Internal" } },
    ]);
  });

  it("ses,postmark: a 500 from ses goes to postmark a second later and is delivered once", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(listed);
    mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    const first = await consume(testEnv, [deliveryId]);
    expect(first.delays).toEqual([1]);
    const waiting = (await status(listed, notifyId)).messages[0];
    expect(waiting).toMatchObject({ status: "sending", provider: "postmark", error: { code: "provider_unavailable", retryable: true, provider: "ses" } });
    expect(waiting.error.message).toContain("next attempt with postmark");

    await consume(testEnv, [deliveryId], 2);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "postmark", providerMessageId: mocks.messageId("postmark", 1), attempts: 2, error: null });
    expect(mocks.captured.postmark).toEqual([{ to: "someone@example.com", from: "Edge Notify <noreply@notify.test>", subject: "Hello", deliveryId }]);
    expect(mocks.captured.ses).toHaveLength(0);
    expect((await attempts(listed, notifyId)).map((a: { attempt: number; provider: string; outcome: string }) => [a.attempt, a.provider, a.outcome])).toEqual([
      [2, "postmark", "accepted"],
      [1, "ses", "retryable"],
    ]);
  });

  it("twilio,vonage: a 503 from twilio goes to vonage", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(listed, "sms");
    mocks.failNext("twilio", { status: 503, body: { code: 20500, message: "Service unavailable" } });
    await consume(testEnv, [deliveryId]);
    await consume(testEnv, [deliveryId], 2);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "vonage", providerMessageId: mocks.messageId("vonage", 1) });
    expect(mocks.captured.vonage).toEqual([{ to: "17787001234", from: "15005550006", text: "Hello", clientRef: deliveryId }]);
    expect(mocks.calls.twilio).toBe(1);
  });

  it("going round the list again waits the usual backoff, and attempts still end at five", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(listed);
    for (let i = 0; i < 3; i++) mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    for (let i = 0; i < 2; i++) mocks.failNext("postmark", { status: 500, body: { ErrorCode: 500, Message: "Internal" } });
    const delays: (number | undefined)[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) delays.push(...(await consume(testEnv, [deliveryId], attempt)).delays);
    // ses → postmark (1 s), postmark → ses (backoff), ses → postmark (1 s), postmark → ses (backoff), then given up.
    expect(delays[0]).toBe(1);
    expect(delays[1]).toBeGreaterThanOrEqual(24);
    expect(delays[2]).toBe(1);
    expect(delays[3]).toBeGreaterThanOrEqual(96);
    expect(delays).toHaveLength(4);
    const final = (await status(listed, notifyId)).messages[0];
    expect(final).toMatchObject({ status: "technical-failure", attempts: 5, provider: "ses", error: { code: "provider_unavailable", retryable: false } });
    expect((await attempts(listed, notifyId)).map((a: { provider: string }) => a.provider)).toEqual(["ses", "postmark", "ses", "postmark", "ses"]);
  });

  it("a permanent refusal does not fail over", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(listed);
    mocks.failNext("ses", { status: 400, body: { __type: "MessageRejected", message: "Email address is not verified." } });
    const result = await consume(testEnv, [deliveryId]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "permanent-failure", provider: "ses", error: { code: "provider_rejected" } });
    expect(mocks.calls.postmark).toBe(0);
    expect(await attempts(listed, notifyId)).toMatchObject([{ provider: "ses", outcome: "permanent", httpStatus: 400 }]);
  });

  it("an unknown outcome (no answer once sent) does not fail over and is not resent", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(listed);
    mocks.failNext("ses", { stall: true });
    const result = await consume(testEnv, [deliveryId]);
    expect(result.retryMessages).toEqual([]);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "technical-failure", provider: "ses", error: { code: "outcome_unknown" } });
    expect(mocks.calls.postmark).toBe(0);
    expect(await attempts(listed, notifyId)).toMatchObject([{ provider: "ses", outcome: "unknown", error: { code: "outcome_unknown" } }]);
  });

  it("refused credentials (configuration) do not fail over either", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(listed);
    mocks.failNext("ses", { status: 403, body: { __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." } });
    await consume(testEnv, [deliveryId]);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "technical-failure", error: { code: "provider_misconfigured" } });
    expect(mocks.calls.postmark).toBe(0);
  });

  it("Resend's lost answer is asked again of Resend with the same Idempotency-Key, never of another provider", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(keyed);
    mocks.failNext("resend", { stall: true });
    const first = await consume(testEnv, [deliveryId]);
    expect(first.delays[0]).toBeGreaterThanOrEqual(12);
    expect((await status(keyed, notifyId)).messages[0]).toMatchObject({ status: "sending", provider: "resend" });
    await consume(testEnv, [deliveryId], 2);
    // The first call was taken before its answer was lost; the second, with the same key, got its email back.
    expect(mocks.calls.resend).toBe(2);
    expect(mocks.captured.resend).toEqual([{ to: ["someone@example.com"], subject: "Hello", idempotencyKey: deliveryId }]);
    expect(mocks.calls.ses).toBe(0);
    expect((await status(keyed, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "resend", providerMessageId: mocks.messageId("resend", 1) });
    expect((await attempts(keyed, notifyId)).map((a: { provider: string; outcome: string }) => [a.provider, a.outcome])).toEqual([
      ["resend", "accepted"],
      ["resend", "retryable"],
    ]);
  });
  it("Resend's key is the delivery id on every attempt, also when the delivery comes back to Resend after a failover", async () => {
    const { env: testEnv } = deployment();
    const { notifyId, deliveryId } = await queued(keyed);
    // The mock refuses (422) any call whose Idempotency-Key is not the delivery id.
    mocks.failNext("resend", { status: 500, body: { statusCode: 500, name: "internal_server_error", message: "An unexpected error occurred." } });
    mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    expect((await consume(testEnv, [deliveryId])).delays).toEqual([1]);
    expect((await consume(testEnv, [deliveryId], 2)).delays[0]).toBeGreaterThanOrEqual(24);
    await consume(testEnv, [deliveryId], 3);
    expect(mocks.calls.resend).toBe(2);
    expect(mocks.captured.resend).toEqual([{ to: ["someone@example.com"], subject: "Hello", idempotencyKey: deliveryId }]);
    expect((await status(keyed, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "resend", attempts: 3 });
    expect((await attempts(keyed, notifyId)).map((a: { provider: string; outcome: string }) => [a.provider, a.outcome])).toEqual([
      ["resend", "accepted"],
      ["ses", "retryable"],
      ["resend", "retryable"],
    ]);
  });
});

describe("circuit breakers", () => {
  it("a down provider's circuit opens after the threshold; later deliveries go straight to the next provider", async () => {
    const { env: testEnv, object } = deployment();
    const first = await Promise.all([queued(listed), queued(listed), queued(listed)]);
    for (let i = 0; i < 3; i++) mocks.failNext("ses", { status: 503, body: { message: "Service Unavailable" } });
    await consume(testEnv, first.map((d) => d.deliveryId));
    expect(mocks.calls.ses).toBe(3);
    expect((await object.status(["ses"]))[0]).toMatchObject({ state: "open", failures: 3 });

    const later = await queued(listed);
    await consume(testEnv, [later.deliveryId]);
    expect(mocks.calls.ses).toBe(3);
    expect((await status(listed, later.notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "postmark", attempts: 1 });
    expect(await attempts(listed, later.notifyId)).toMatchObject([{ attempt: 1, provider: "postmark", outcome: "accepted" }]);
  });

  it("with every provider's circuit open a delivery waits, without a call, an attempt or a queue redelivery", async () => {
    const { env: base, object } = deployment();
    // The wait is a new queue message, not a retry: a long outage must not use up the queue's
    // max_retries and dead-letter a delivery no provider was asked to take.
    const sent: { body: unknown; delaySeconds?: number }[] = [];
    const testEnv = { ...base, DELIVER_QUEUE: { ...base.DELIVER_QUEUE, sendBatch: async (messages: { body: unknown; delaySeconds?: number }[]) => void sent.push(...messages) } } as unknown as Env;
    await object.report([{ name: "ses", ok: 0, failed: 3 }]);
    const { notifyId, deliveryId } = await queued(single);
    const result = await consume(testEnv, [deliveryId]);
    expect(mocks.calls.ses).toBe(0);
    expect(result.delays).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ deliveryId });
    expect(sent[0]!.delaySeconds).toBeGreaterThanOrEqual(28);
    expect(sent[0]!.delaySeconds).toBeLessThanOrEqual(33);
    const message = (await status(single, notifyId)).messages[0];
    expect(message).toMatchObject({ status: "sending", provider: "ses", attempts: 0, error: { code: "providers_unavailable", retryable: true } });
    expect(message.error.message).toContain("Every provider's circuit is open (ses)");
    // The attempt number is the one the next call will carry: skipping spent none.
    expect(await attempts(single, notifyId)).toMatchObject([{ attempt: 1, provider: "ses", outcome: "skipped", error: { code: "providers_unavailable" } }]);
  });

  it("after the cool-down one probe goes through: its success closes the circuit", async () => {
    const { env: testEnv, object } = deployment(1);
    const opening = await Promise.all([queued(listed), queued(listed), queued(listed)]);
    for (let i = 0; i < 3; i++) mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    await consume(testEnv, opening.map((d) => d.deliveryId));
    await pause(1_100);
    expect((await object.status(["ses"]))[0]!.state).toBe("half-open");

    const [a, b] = await Promise.all([queued(listed), queued(listed)]);
    await consume(testEnv, [a.deliveryId, b.deliveryId]);
    // One of the two was the probe (ses answered it); the other went on to postmark.
    expect(mocks.calls.ses).toBe(4);
    expect(mocks.captured.ses).toHaveLength(1);
    const providers = [(await status(listed, a.notifyId)).messages[0].provider, (await status(listed, b.notifyId)).messages[0].provider].sort();
    expect(providers).toEqual(["postmark", "ses"]);
    expect((await object.status(["ses"]))[0]).toMatchObject({ state: "closed", openedAt: null });

    const c = await queued(listed);
    await consume(testEnv, [c.deliveryId]);
    expect((await status(listed, c.notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "ses" });
  });

  it("a failed probe opens the circuit again (and its delivery fails over)", async () => {
    const { env: testEnv, object } = deployment(1);
    const opening = await Promise.all([queued(listed), queued(listed), queued(listed)]);
    for (let i = 0; i < 3; i++) mocks.failNext("ses", { status: 500, body: { message: "Internal" } });
    await consume(testEnv, opening.map((d) => d.deliveryId));
    await pause(1_100);
    const probe = await queued(listed);
    mocks.failNext("ses", { status: 500, body: { message: "Still down" } });
    const result = await consume(testEnv, [probe.deliveryId]);
    expect(result.delays).toEqual([1]);
    expect(mocks.calls.ses).toBe(4);
    expect((await object.status(["ses"]))[0]).toMatchObject({ state: "open" });
    await consume(testEnv, [probe.deliveryId], 2);
    expect((await status(listed, probe.notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "postmark" });
    expect(mocks.calls.ses).toBe(4);
  });

  it("a permanent refusal counts as the provider being up", async () => {
    const { env: testEnv, object } = deployment();
    const refused = await Promise.all([queued(listed), queued(listed), queued(listed)]);
    for (let i = 0; i < 3; i++) mocks.failNext("ses", { status: 400, body: { __type: "MessageRejected", message: "Email address is not verified." } });
    await consume(testEnv, refused.map((d) => d.deliveryId));
    expect((await object.status(["ses"]))[0]).toMatchObject({ state: "closed", failures: 0, successes: 3 });
  });

  it("an unreachable circuit object does not stop delivery: every circuit is taken as closed", async () => {
    const broken = {
      idFromName: () => {
        throw new Error("circuits down");
      },
      get: () => {
        throw new Error("circuits down");
      },
    } as unknown as Env["PROVIDER_CIRCUITS"];
    const testEnv = { ...env, PROVIDER_CIRCUITS: broken } as Env;
    const { notifyId, deliveryId } = await queued(listed);
    await consume(testEnv, [deliveryId]);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "ses" });
  });

  it("test keys and chat targets never touch circuits or fail over", async () => {
    const { env: testEnv, object, counter } = deployment();
    await object.report([{ name: "ses", ok: 0, failed: 3 }, { name: "postmark", ok: 0, failed: 3 }]);
    const before = counter.calls;
    const { notifyId, deliveryId } = await queued(listed, "email", listed.keys.test);
    await consume(testEnv, [deliveryId]);
    expect((await status(listed, notifyId)).messages[0]).toMatchObject({ status: "delivered", provider: "simulator", attempts: 1 });
    expect(await attempts(listed, notifyId)).toMatchObject([{ provider: "simulator", outcome: "accepted" }]);
    // A chat target is the tenant's own webhook: answered or not, it is no provider's circuit.
    const chat = await queued(listed, "msgApp");
    mocks.failNext("slack", { status: 503, body: "unavailable" });
    await consume(testEnv, [chat.deliveryId]);
    expect((await status(listed, chat.notifyId)).messages[0]).toMatchObject({ status: "sending", provider: "slack", error: { code: "provider_unavailable" } });
    expect(counter.calls).toBe(before);
    expect(mocks.calls.ses + mocks.calls.postmark).toBe(0);
  });
});

describe("attempt records", () => {
  it("an attempt whose worker vanished is recorded by the sweep as unknown", async () => {
    const { notifyId, deliveryId } = await queued(single);
    await env.DB.prepare("UPDATE deliveries SET state = 'in_flight', attempts = 1, lease_until = ?, lease_token = 'gone', updated_at = ? WHERE id = ?")
      .bind(Date.now() - 1_000, Date.now() - 60_000, deliveryId)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    expect(await attempts(single, notifyId)).toMatchObject([{ attempt: 1, provider: "ses", outcome: "unknown", error: { code: "outcome_unknown" } }]);
  });
});
