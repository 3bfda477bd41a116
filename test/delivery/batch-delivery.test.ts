import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// The deliver consumer takes a queue batch at a time (services/delivery/process.ts): one claim,
// provider calls batched where the provider allows (SES SendBulkEmail here), one settle.
const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Batch delivery", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

/** A merge whose deliveries are stored but not given to the real queue (scheduled, then marked queued by hand). */
async function queuedMerge(addresses: string[]): Promise<{ notifyId: string; deliveryIds: string[] }> {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", {
    body: {
      recipients: { mergeArray: [["to", "name"], ...addresses.map((a, i) => [a, `N${i}`])] },
      content: { subject: "Hi {{name}}", body: "Hello **{{name}}**", bodyType: "markdown" },
      delayedSend: new Date(Date.now() + 3_600_000).toISOString(),
    },
  });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const rows = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ? ORDER BY id").bind(notifyId).all<{ id: string }>();
  const ids = rows.results.map((r) => r.id);
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ? WHERE notification_id = ?").bind(Date.now(), notifyId),
    env.DB.prepare("UPDATE messages SET status = 'created' WHERE notification_id = ?").bind(notifyId),
    env.DB.prepare("UPDATE notifications SET count_created = count_scheduled, count_scheduled = 0, status = 'accepted' WHERE id = ?").bind(notifyId),
  ]);
  return { notifyId, deliveryIds: ids };
}

async function deliver(deliveryIds: string[]) {
  const batch = createMessageBatch(
    "notify-deliver",
    deliveryIds.map((deliveryId, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { deliveryId, tenantId: tenant.id } })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { ...(await getQueueResult(batch, ctx)), ids: batch.messages.map((m) => m.id) };
}

const view = async (notifyId: string) => json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));

describe("delivery: a queue batch of one merge", () => {
  it("goes to SES in one SendBulkEmail call, each entry rendered and recorded with its own message id", async () => {
    const { notifyId, deliveryIds } = await queuedMerge(["a@example.com", "b@example.com", "c@example.com"]);
    const result = await deliver(deliveryIds);
    expect(result.explicitAcks.sort()).toEqual(result.ids.sort());
    expect(mocks.captured.ses).toHaveLength(3);
    expect(mocks.captured.ses.every((s) => s.bulk)).toBe(true);
    const byTo = Object.fromEntries(mocks.captured.ses.map((s) => [s.destination.ToAddresses![0], s.mime]));
    expect(byTo["b@example.com"]).toMatchObject({ subject: "Hi N1", text: expect.stringContaining("N1") });
    expect((byTo["b@example.com"] as any).html).toContain("<strong>N1</strong>");
    const n = await view(notifyId);
    expect(n).toMatchObject({ status: "delivered", counts: { delivered: 3 } });
    const ids = await env.DB.prepare("SELECT provider_message_id AS p FROM deliveries WHERE notification_id = ?").bind(notifyId).all<{ p: string }>();
    expect(new Set(ids.results.map((r) => r.p)).size).toBe(3);
  });

  it("a copy of the batch delivered again sends nothing twice", async () => {
    const { notifyId, deliveryIds } = await queuedMerge(["d@example.com", "e@example.com"]);
    await Promise.all([deliver(deliveryIds), deliver(deliveryIds)]);
    await deliver([...deliveryIds, ...deliveryIds]);
    expect(mocks.captured.ses).toHaveLength(2);
    expect((await view(notifyId)).counts).toEqual({ delivered: 2 });
  });

  it("an entry SES refuses fails alone; the rest of the call is delivered", async () => {
    const { notifyId, deliveryIds } = await queuedMerge(["f@example.com", "rejected-by-ses@example.com", "g@example.com"]);
    await deliver(deliveryIds);
    const n = await view(notifyId);
    expect(n.status).toBe("partially-failed");
    expect(n.counts).toEqual({ delivered: 2, "permanent-failure": 1 });
    const failed = n.messages.find((m: any) => m.recipient === "rejected-by-ses@example.com");
    expect(failed).toMatchObject({ status: "permanent-failure", error: { retryable: false, providerCode: "MESSAGE_REJECTED" } });
  });

  it("a failed call is retried for every message it carried, then delivered once", async () => {
    const { notifyId, deliveryIds } = await queuedMerge(["h@example.com", "i@example.com"]);
    mocks.failNext("ses", { status: 503, body: { message: "Service Unavailable" } });
    const first = await deliver(deliveryIds);
    expect(first.retryMessages.map((m) => m.msgId).sort()).toEqual(first.ids.sort());
    expect(mocks.captured.ses).toHaveLength(0);
    expect((await view(notifyId)).counts).toEqual({ sending: 2 });
    const second = await deliver(deliveryIds);
    expect(second.explicitAcks.sort()).toEqual(second.ids.sort());
    expect(mocks.captured.ses).toHaveLength(2);
    expect((await view(notifyId)).counts).toEqual({ delivered: 2 });
  });
});
