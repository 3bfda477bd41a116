import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb as dbOf } from "../../src/db/client";
import { MESSAGE_STATUSES, type MessageStatus } from "../../src/db/schema";
import type { Env } from "../../src/env";
import { overallStatus, overallStatusSql } from "../../src/services/delivery/notification-status";
import { expireLostAttempts, releaseDueDeliveries } from "../../src/services/delivery/sweep";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Status counts", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const COLUMN: Record<MessageStatus, string> = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, `count_${s.replace("-", "_")}`])) as Record<MessageStatus, string>;

/**
 * The overall status as it was computed before the counts existed, by scanning every message:
 * the reference the counts must agree with.
 */
const SCANNED_STATUS = `SELECT CASE
    WHEN SUM(status <> 'cancelled') = 0 THEN 'cancelled'
    WHEN SUM(status IN ('created', 'sending')) > 0 THEN
      CASE WHEN SUM(status NOT IN ('created', 'scheduled', 'cancelled')) > 0 THEN 'sending' ELSE 'accepted' END
    WHEN SUM(status = 'scheduled') > 0 THEN
      CASE WHEN SUM(status NOT IN ('scheduled', 'cancelled')) > 0 THEN 'sending' ELSE 'scheduled' END
    WHEN SUM(status NOT IN ('delivered', 'cancelled')) = 0 THEN CASE WHEN SUM(status = 'cancelled') > 0 THEN 'cancelled' ELSE 'delivered' END
    WHEN SUM(status = 'delivered') = 0 THEN 'failed'
    ELSE 'partially-failed'
  END AS status`;

/**
 * The stored counts and status agree with the messages themselves (counted the slow way), the
 * counts sum to messageCount; answers the stored counts (statuses with no message left out).
 */
async function expectConsistent(notifyId: string): Promise<{ status: string; counts: Partial<Record<MessageStatus, number>> }> {
  const row = (await env.DB.prepare("SELECT * FROM notifications WHERE id = ?").bind(notifyId).first<Record<string, number | string>>())!;
  const { results } = await env.DB.prepare("SELECT status, COUNT(*) AS n FROM messages WHERE notification_id = ? GROUP BY status").bind(notifyId).all<{ status: MessageStatus; n: number }>();
  const scanned = await env.DB.prepare(`${SCANNED_STATUS} FROM messages WHERE notification_id = ?`).bind(notifyId).first<{ status: string }>();
  const stored = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, row[COLUMN[s]]]).filter(([, n]) => n !== 0));
  expect(stored).toEqual(Object.fromEntries(results.map((r) => [r.status, r.n])));
  expect(MESSAGE_STATUSES.reduce((sum, s) => sum + (row[COLUMN[s]] as number), 0)).toBe(row.message_count);
  expect(row.status).toBe(scanned!.status);
  return { status: row.status as string, counts: stored };
}

const status = async (notifyId: string) => json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** The deliveries of a scheduled send, released by the cron's own code with a queue that drops them, so each test drives the consumer. */
async function releasedByHand(notifyId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ? ORDER BY id").bind(notifyId).all<{ id: string }>();
  await env.DB.prepare("UPDATE deliveries SET scheduled_for = ? WHERE notification_id = ?").bind(Date.now(), notifyId).run();
  const dropping = { ...env, DELIVER_QUEUE: { send: async () => undefined, sendBatch: async () => undefined } } as unknown as Env;
  await releaseDueDeliveries(dbOf(env.DB), dropping, new Date());
  return results.map((r) => r.id);
}

/** Runs the real consumer, one batch per delivery, all at once. */
async function consumeConcurrently(deliveryIds: string[], attempts = 1) {
  return Promise.all(
    deliveryIds.map(async (deliveryId) => {
      const batch = createMessageBatch("notify-deliver", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts, body: { deliveryId, tenantId: tenant.id } }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      return getQueueResult(batch, ctx);
    }),
  );
}

const emails = (n: number) => Array.from({ length: n }, (_, i) => `reader${i}@example.com`);
const phones = (n: number) => Array.from({ length: n }, (_, i) => `+1778700${String(1000 + i)}`);

describe("the overall status from the counts", () => {
  it("follows the same rules as scanning the messages, for any mix of statuses", async () => {
    const db = dbOf(env.DB);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...MESSAGE_STATUSES), { minLength: 1, maxLength: 12 }), async (statuses) => {
        const n = (s: MessageStatus) => statuses.filter((x) => x === s).length;
        const [fromCounts] = await db.all<{ status: string }>(sql`SELECT ${overallStatusSql((s) => sql`${n(s)}`)} AS status`);
        const scanned = await env.DB.prepare(`WITH messages(status) AS (VALUES ${statuses.map(() => "(?)").join(", ")}) ${SCANNED_STATUS} FROM messages`)
          .bind(...statuses)
          .first<{ status: string }>();
        expect(fromCounts!.status).toBe(scanned!.status);
      }),
      { numRuns: 150 },
    );
  });

  it("the JavaScript rules (a send's first status) agree with the SQL ones, fan-outs and cancels included", async () => {
    const db = dbOf(env.DB);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...MESSAGE_STATUSES), { maxLength: 12 }),
        fc.nat(3),
        fc.boolean(),
        async (statuses, pending, cancelRequested) => {
          const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, statuses.filter((x) => x === s).length]));
          const [fromSql] = await db.all<{ status: string }>(
            sql`WITH n(pending_chunks, cancel_requested_at) AS (VALUES (${pending}, ${cancelRequested ? 1 : null})) SELECT ${overallStatusSql((s) => sql`${counts[s]}`)} AS status FROM n`,
          );
          expect(overallStatus(counts, pending, cancelRequested)).toBe(fromSql!.status);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("counts per message status on the notification", () => {
  it("an email to 50 addresses and 20 SMS, delivered through the queue: 70 counted, all delivered", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: {
        email: { recipients: { to: emails(50) }, content: { subject: "s", body: "b" } },
        sms: { recipients: { to: phones(20) }, content: { body: "b" } },
      },
    });
    expect(res.status).toBe(201);
    const { notifyId } = await json(res);
    const final = await waitForNotification(tenant, notifyId, undefined, 30_000);
    expect(final.status).toBe("delivered");
    expect(final.counts).toEqual({ delivered: 70 });
    expect(final.messageCount).toBe(70);
    expect((await expectConsistent(notifyId)).counts).toEqual({ delivered: 70 });
    expect(mocks.captured.ses).toHaveLength(1);
    expect(mocks.captured.twilio).toHaveLength(20);
  });

  it("21 deliveries of one notification finishing at the same moment, some failing and retrying, lose no count", async () => {
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: {
          delayedSend: inAnHour(),
          email: { recipients: { to: emails(50) }, content: { subject: "s", body: "b" } },
          sms: { recipients: { to: phones(20) }, content: { body: "b" } },
        },
      }),
    );
    expect(await expectConsistent(notifyId)).toEqual({ status: "scheduled", counts: { scheduled: 70 } });
    const ids = await releasedByHand(notifyId);
    expect(ids).toHaveLength(21);
    expect(await expectConsistent(notifyId)).toEqual({ status: "accepted", counts: { created: 70 } });

    // The first five SMS calls are refused for good and the next three answer 503 (retried).
    for (let i = 0; i < 5; i++) mocks.failNext("twilio", { status: 400, body: { code: 21211, message: "Invalid 'To' Phone Number" } });
    for (let i = 0; i < 3; i++) mocks.failNext("twilio", { status: 503, body: { message: "unavailable" } });
    const first = await consumeConcurrently(ids);
    expect(first.flatMap((r) => r.retryMessages)).toHaveLength(3);
    const middle = await expectConsistent(notifyId);
    expect(middle).toEqual({ status: "sending", counts: { delivered: 62, "permanent-failure": 5, sending: 3 } });
    expect((await status(notifyId)).counts).toEqual(middle.counts);

    // The three retries, each consumed twice at once: one provider call each.
    const waiting = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ? AND state = 'retry_wait'").bind(notifyId).all<{ id: string }>();
    const retried = waiting.results.map((r) => r.id);
    await consumeConcurrently([...retried, ...retried], 2);
    const final = await expectConsistent(notifyId);
    expect(final).toEqual({ status: "partially-failed", counts: { delivered: 65, "permanent-failure": 5 } });
    expect(await status(notifyId)).toMatchObject({ status: "partially-failed", counts: final.counts, messageCount: 70 });
    expect(mocks.captured.twilio).toHaveLength(15);
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("the sweeper: released messages count as created, an interrupted attempt as a technical failure", async () => {
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: { delayedSend: inAnHour(), sms: { recipients: { to: phones(2) }, content: { body: "b" } } },
      }),
    );
    const [sent, lost] = await releasedByHand(notifyId);
    expect(await expectConsistent(notifyId)).toEqual({ status: "accepted", counts: { created: 2 } });
    await consumeConcurrently([sent!]);
    expect(await expectConsistent(notifyId)).toEqual({ status: "sending", counts: { delivered: 1, created: 1 } });

    // A worker took the other one and vanished: its lease ran out with its message unsent.
    await env.DB.prepare("UPDATE deliveries SET state = 'in_flight', lease_until = ?, lease_token = 'gone', attempts = 1 WHERE id = ?").bind(Date.now() - 1000, lost).run();
    await expireLostAttempts(dbOf(env.DB), env, new Date());
    expect(await expectConsistent(notifyId)).toEqual({ status: "partially-failed", counts: { delivered: 1, "technical-failure": 1 } });
  });

  it("cancelling a delivery waiting to retry moves its sending messages to cancelled", async () => {
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: { delayedSend: inAnHour(), email: { recipients: { to: emails(3) }, content: { subject: "s", body: "b" } } },
      }),
    );
    const ids = await releasedByHand(notifyId);
    mocks.failNext("ses", { status: 503, body: { message: "Service Unavailable" } });
    await consumeConcurrently(ids);
    expect(await expectConsistent(notifyId)).toEqual({ status: "sending", counts: { sending: 3 } });
    const res = await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`);
    expect(await json(res)).toMatchObject({ status: "cancelled", cancelled: 3, counts: { cancelled: 3 } });
    expect(await expectConsistent(notifyId)).toEqual({ status: "cancelled", counts: { cancelled: 3 } });
  });

  it("a dead-lettered delivery counts as a technical failure", async () => {
    const { notifyId } = await json(
      await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: { delayedSend: inAnHour(), email: { recipients: { to: emails(2) }, content: { subject: "s", body: "b" } } },
      }),
    );
    const [deliveryId] = await releasedByHand(notifyId);
    const batch = createMessageBatch("notify-dead-letter", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 11, body: { deliveryId: deliveryId!, tenantId: tenant.id } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    expect(await expectConsistent(notifyId)).toEqual({ status: "failed", counts: { "technical-failure": 2 } });
  });
});
