import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { FanoutMessage } from "../../src/services/fanout/start";
import { BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Mail merges of more than 100 rows (services/fanout): checked in the request, stored in R2 in
// 500-row chunks, turned into messages by the notify-fanout consumer. Some tests run the real
// queues end to end; the others start the fan-out with a FANOUT_QUEUE that only records the chunk
// messages, then hand those to the Worker's queue handler themselves (twice, at once, after a
// crash, after a cancel, as dead letters) and count the rows in D1.
const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  mocks.reset();
  vi.restoreAllMocks();
});
afterAll(() => mocks.server.close());

/** Every email that reached SES (SendEmail or a SendBulkEmail entry, both captured by the mock): recipients, subject, text. */
const sesEmails = () => mocks.captured.ses.map((s) => ({ to: (s.destination.ToAddresses ?? []).join(","), subject: s.mime.subject, text: s.mime.text?.trim() }));

const FINAL = new Set(["delivered", "partially-failed", "failed", "cancelled"]);

/** A valid Canadian mobile number per row, distinct per `exchange` so tests never share one. */
const phone = (exchange: number, i: number) => `+1778${exchange}${String(i).padStart(4, "0")}`;
/** An SMS merge of `n` rows: `to`, `name`, `code`; the text renders both. */
const smsMerge = (n: number, exchange: number) => ({
  recipients: { mergeArray: [["to", "name", "code"], ...Array.from({ length: n }, (_, i) => [phone(exchange, i + 1), `P${i + 1}`, `C${(i + 1) * 7}`])] },
  content: { body: "Hi {{name}}, your code is {{code}}" },
});
const smsText = (row: number) => `Hi P${row}, your code is C${row * 7}`;
/** An email merge of `n` rows to `<prefix><row>@example.com`. */
const emailRows = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => [`${prefix}${i + 1}@example.com`, `N${i + 1}`]);
const emailContent = { subject: "Hello {{name}}", body: "Dear {{name}}, this is row mail", bodyType: "text" };

/** Starts a send with a FANOUT_QUEUE that records the chunk messages instead of queueing them. */
async function startWithoutQueue(tenant: TestTenant, path: string, body: unknown, key = tenant.keys.live) {
  const chunks: FanoutMessage[] = [];
  const fanoutQueue = {
    sendBatch: async (batch: { body: FanoutMessage }[]) => void chunks.push(...batch.map((m) => m.body)),
    send: async (body: FanoutMessage) => void chunks.push(body),
  };
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) }),
    { ...env, FANOUT_QUEUE: fanoutQueue } as unknown as typeof env,
    createExecutionContext(),
  );
  const receipt = await json(res);
  expect(res.status, JSON.stringify(receipt)).toBe(201);
  return { receipt, notifyId: receipt.notifyId as string, chunks };
}

/** Runs the Worker's queue handler on one batch of `bodies` for `queue`. */
async function consume(queue: string, bodies: unknown[], workerEnv: typeof env = env, attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, workerEnv, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, ids: batch.messages.map((m) => m.id) };
}

const notificationRow = (id: string) =>
  env.DB.prepare("SELECT status, pending_chunks, message_count, cancel_requested_at FROM notifications WHERE id = ?")
    .bind(id)
    .first<{ status: string; pending_chunks: number; message_count: number; cancel_requested_at: number | null }>();

/** Message rows of a notification: all, distinct recipients, and per status. */
async function messageRows(id: string) {
  const total = await env.DB.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT recipient) AS recipients FROM messages WHERE notification_id = ?")
    .bind(id)
    .first<{ n: number; recipients: number }>();
  const { results } = await env.DB.prepare("SELECT status, COUNT(*) AS n FROM messages WHERE notification_id = ? GROUP BY status").bind(id).all<{ status: string; n: number }>();
  return { n: total!.n, recipients: total!.recipients, byStatus: Object.fromEntries(results.map((r) => [r.status, r.n])) };
}

/** Polls D1 (cheaper than the status API for 600 messages) until the notification is final with nothing pending. */
async function waitFinal(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last: Awaited<ReturnType<typeof notificationRow>> = null;
  while (Date.now() < deadline) {
    last = await notificationRow(id);
    if (last && last.pending_chunks === 0 && FINAL.has(last.status)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`notification ${id} did not settle: ${JSON.stringify(last)} ${JSON.stringify(await messageRows(id))}`);
}

/** The status API's view, with its counts checked against the message rows themselves. */
async function viewMatchingRows(tenant: TestTenant, id: string) {
  const view = await json(await asTenant(tenant, "GET", `/api/v1/notify/${id}`));
  const rows = await messageRows(id);
  expect(view.counts).toEqual(rows.byStatus);
  expect(view.messageCount).toBe(rows.n);
  // The view lists the first 100 messages and says when there are more (the rest are paged).
  expect(view.messages).toHaveLength(Math.min(rows.n, 100));
  expect(view.messagesTruncated).toBe(rows.n > 100);
  expect(view.messagesUrl).toMatch(new RegExp(`/api/v1/notify/${id}/messages$`));
  return { view, rows };
}

const r2Keys = async (tenantId: string, notifyId: string) => (await env.BUCKET.list({ prefix: `fanout/${tenantId}/${notifyId}/` })).objects.map((o) => o.key);

/** Waits a moment for anything the real deliver queue might still do (a message that should not be sent). */
const settle = (ms = 2500) => new Promise((r) => setTimeout(r, ms));

describe("fan-out end to end through the real queues", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant("Fan-out e2e");
  });

  it("a 600-row SMS merge (chunks of 500 and 100) answers at once and sends each row exactly once", { timeout: 90_000 }, async () => {
    const started = Date.now();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: smsMerge(600, 700) });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ status: "accepted", channels: { sms: 600 }, merge: { sms: { rows: 600, sent: 600, skipped: 0, errors: [], suppressed: 0, notAllowed: 0 } } });
    expect(elapsed).toBeLessThan(10_000);

    const final = await waitFinal(receipt.notifyId);
    expect(final).toMatchObject({ status: "delivered", pending_chunks: 0, message_count: 600 });
    const { view, rows } = await viewMatchingRows(tenant, receipt.notifyId);
    expect(rows).toEqual({ n: 600, recipients: 600, byStatus: { delivered: 600 } });
    expect(view.progress).toEqual({ done: 600, total: 600, percent: 100 });

    expect(mocks.captured.twilio).toHaveLength(600);
    const byNumber = new Map(mocks.captured.twilio.map((t) => [t.to, t.body]));
    expect(byNumber.size).toBe(600);
    for (let row = 1; row <= 600; row++) expect(byNumber.get(phone(700, row)), `row ${row}`).toBe(smsText(row));
    // The merge input is removed from R2 once every chunk is stored.
    expect(await r2Keys(tenant.id, receipt.notifyId)).toEqual([]);
  });

  it("a 150-row email merge goes through SES, one email per row, rendered with its row", { timeout: 60_000 }, async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { mergeArray: [["to", "name"], ...emailRows(150, "e2e")] }, content: emailContent } });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ channels: { email: 150 }, merge: { email: { rows: 150, sent: 150, skipped: 0 } } });
    expect(await waitFinal(receipt.notifyId)).toMatchObject({ status: "delivered", message_count: 150 });
    const { rows } = await viewMatchingRows(tenant, receipt.notifyId);
    expect(rows).toEqual({ n: 150, recipients: 150, byStatus: { delivered: 150 } });
    const emails = sesEmails();
    expect(emails).toHaveLength(150);
    const sent = new Map(emails.map((e) => [e.to, { subject: e.subject, text: e.text }]));
    expect(sent.size).toBe(150);
    for (let row = 1; row <= 150; row++) expect(sent.get(`e2e${row}@example.com`), `row ${row}`).toEqual({ subject: `Hello N${row}`, text: `Dear N${row}, this is row mail` });
  });

  it("a test key's 150-row merge is delivered by the simulator, nothing reaches a provider", { timeout: 60_000 }, async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { key: tenant.keys.test, body: smsMerge(150, 701) });
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.channels).toEqual({ sms: 150 });
    expect(await waitFinal(receipt.notifyId)).toMatchObject({ status: "delivered", message_count: 150 });
    const { rows } = await viewMatchingRows(tenant, receipt.notifyId);
    expect(rows).toEqual({ n: 150, recipients: 150, byStatus: { delivered: 150 } });
    expect(mocks.captured.twilio).toHaveLength(0);
    expect(sesEmails()).toHaveLength(0);
  });
});

describe("fan-out: the up-front check of every row", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant("Fan-out validation");
  });

  /** 150 rows; row 120 has an invalid address, row 130 a blank `name` the request does not give either. */
  const withTwoBadRows = (skipInvalidRows?: boolean) => {
    const rows = emailRows(150, "v");
    rows[119]![0] = "not-an-address";
    rows[129]![1] = "";
    return { recipients: { ...(skipInvalidRows ? { skipInvalidRows } : {}), mergeArray: [["to", "name"], ...rows] }, content: emailContent };
  };
  const badRows = [
    { row: 120, column: "to", path: "recipients.mergeArray[120][0]", message: expect.stringContaining("not-an-address") },
    { row: 130, column: "name", path: "recipients.mergeArray[130][1]", message: "Required by the template but not supplied" },
  ];
  const stored = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>())!.n;

  it("refuses the merge with a 422 naming both rows, and stores nothing", async () => {
    const before = await stored();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: withTwoBadRows() });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.errors).toEqual(badRows);
    expect(problem.detail).toMatch(/2 of 150 rows/);
    expect(await stored()).toBe(before);
    expect((await env.BUCKET.list({ prefix: `fanout/${tenant.id}/` })).objects).toEqual([]);
  });

  it("with skipInvalidRows fans out the 148 others and reports the 2 skipped", async () => {
    const { receipt, notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/email", withTwoBadRows(true), tenant.keys.test);
    expect(receipt.channels).toEqual({ email: 148 });
    expect(receipt.merge.email).toEqual({ rows: 150, sent: 148, skipped: 2, errors: badRows, suppressed: 0, notAllowed: 0 });
    expect(chunks).toEqual([{ notifyId, tenantId: tenant.id, channel: "email", chunk: 0 }]);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "accepted", pending_chunks: 1, message_count: 148 });

    const result = await consume("notify-fanout", chunks);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await waitFinal(notifyId)).toMatchObject({ status: "delivered", message_count: 148 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 148, recipients: 148, byStatus: { delivered: 148 } });
    const recipients = await env.DB.prepare("SELECT recipient FROM messages WHERE notification_id = ? AND recipient IN ('v120@example.com', 'v130@example.com', 'not-an-address')").bind(notifyId).all();
    expect(recipients.results).toEqual([]);
  });

  it("a preview shows the first 10 rows (or previewRows) and counts every row", async () => {
    const before = await stored();
    const valid = { recipients: { mergeArray: [["to", "name"], ...emailRows(150, "p")] }, content: emailContent };
    const standard = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: valid }));
    expect(standard.email).toHaveLength(10);
    expect(standard.email.map((m: any) => m.recipients.to[0])).toEqual(Array.from({ length: 10 }, (_, i) => `p${i + 1}@example.com`));
    expect(standard.email[9].content).toMatchObject({ subject: "Hello N10", body: "Dear N10, this is row mail" });
    expect(standard.merge.email).toMatchObject({ rows: 150, sent: 150, skipped: 0 });

    const more = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true&previewRows=40", { body: valid }));
    expect(more.email).toHaveLength(40);
    expect(more.email[39].recipients.to).toEqual(["p40@example.com"]);

    const skipping = await json(await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: withTwoBadRows(true) }));
    expect(skipping.email).toHaveLength(10);
    expect(skipping.merge.email).toMatchObject({ rows: 150, sent: 148, skipped: 2, errors: badRows });
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body: withTwoBadRows() });
    expect(refused.status).toBe(422);
    expect((await json(refused)).errors).toEqual(badRows);

    expect(await stored()).toBe(before);
    expect(sesEmails()).toHaveLength(0);
  });
});

describe("fan-out: the guest list (team key)", () => {
  it("rows off the guest list refuse the merge, or are skipped and counted with skipInvalidRows", async () => {
    const tenant = await createTestTenant("Fan-out guests");
    const rows = emailRows(150, "g");
    const guests = rows.map((r) => r[0]!).filter((_, i) => i !== 9 && i !== 139);
    expect((await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: { emails: guests, phones: [] } })).status).toBe(200);
    const body = (skipInvalidRows?: boolean) => ({ recipients: { ...(skipInvalidRows ? { skipInvalidRows } : {}), mergeArray: [["to", "name"], ...rows] }, content: emailContent });

    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { key: tenant.keys.team, body: body() });
    expect(refused.status).toBe(400);
    const problem = await json(refused);
    expect(problem.code).toBe("recipient_not_allowed");
    expect(problem.errors.map((e: any) => [e.path, e.message])).toEqual([
      ["recipients.mergeArray[10][0]", "g10@example.com is not on your guest list (team key)"],
      ["recipients.mergeArray[140][0]", "g140@example.com is not on your guest list (team key)"],
    ]);

    const { receipt, notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/email", body(true), tenant.keys.team);
    expect(receipt.channels).toEqual({ email: 148 });
    expect(receipt.merge.email).toMatchObject({ rows: 150, sent: 148, skipped: 2, notAllowed: 2, suppressed: 0 });
    expect(receipt.merge.email.errors.map((e: any) => e.row)).toEqual([10, 140]);
    expect(chunks).toHaveLength(1);
    expect(await notificationRow(notifyId)).toMatchObject({ pending_chunks: 1, message_count: 148 });
  });
});

describe("fan-out: redelivered and crashed chunks", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant("Fan-out redelivery");
  });

  it("each chunk delivered twice (in one batch, and in two batches at once) makes one message per recipient, sent once", { timeout: 90_000 }, async () => {
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(600, 702));
    expect(chunks).toHaveLength(2);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "accepted", pending_chunks: 2, message_count: 600 });

    // Chunk 0 twice in one batch (the consumer handles a batch's messages at once).
    const same = await consume("notify-fanout", [chunks[0], chunks[0]]);
    expect(same.explicitAcks.sort()).toEqual([...same.ids].sort());
    expect(same.retryMessages).toEqual([]);
    expect(await messageRows(notifyId)).toMatchObject({ n: 500, recipients: 500 });
    expect((await notificationRow(notifyId))!.pending_chunks).toBe(1);

    // Chunk 1 in two batches handled concurrently.
    const [a, b] = await Promise.all([consume("notify-fanout", [chunks[1]]), consume("notify-fanout", [chunks[1]])]);
    expect([...a.explicitAcks, ...b.explicitAcks]).toHaveLength(2);
    expect(await messageRows(notifyId)).toMatchObject({ n: 600, recipients: 600 });
    expect((await notificationRow(notifyId))!.pending_chunks).toBe(0);

    // And both again, late, once everything is stored (the manifest may be gone by now).
    const late = await consume("notify-fanout", chunks);
    expect(late.explicitAcks).toHaveLength(2);

    expect(await waitFinal(notifyId)).toMatchObject({ status: "delivered", pending_chunks: 0, message_count: 600 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 600, recipients: 600, byStatus: { delivered: 600 } });
    await settle(1000);
    expect(mocks.captured.twilio).toHaveLength(600);
    expect(new Set(mocks.captured.twilio.map((t) => t.to)).size).toBe(600);
  });

  it("a crash between the D1 write and the enqueue: the redelivered chunk enqueues what waits, and it is sent once", { timeout: 60_000 }, async () => {
    // One chunk: it is the last, so the write also takes pending_chunks to 0.
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(150, 703));
    expect(chunks).toHaveLength(1);
    const brokenQueue = {
      sendBatch: async () => {
        throw new Error("deliver queue unavailable");
      },
      send: async () => {
        throw new Error("deliver queue unavailable");
      },
    };
    vi.spyOn(console, "error").mockImplementation(() => {});
    const crashed = await consume("notify-fanout", chunks, { ...env, DELIVER_QUEUE: brokenQueue } as unknown as typeof env);
    // The rows are stored; the work is not done, so the queue is asked to offer the chunk again.
    expect(crashed.retryMessages.map((m) => m.msgId)).toEqual(crashed.ids);
    expect(await messageRows(notifyId)).toEqual({ n: 150, recipients: 150, byStatus: { created: 150 } });
    expect(await notificationRow(notifyId)).toMatchObject({ status: "accepted", pending_chunks: 0, message_count: 150 });
    await settle(1500);
    expect(mocks.captured.twilio).toHaveLength(0);

    const again = await consume("notify-fanout", chunks);
    expect(again.explicitAcks).toEqual(again.ids);
    expect(await waitFinal(notifyId, 30_000)).toMatchObject({ status: "delivered", message_count: 150 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 150, recipients: 150, byStatus: { delivered: 150 } });
    await settle(1000);
    expect(mocks.captured.twilio).toHaveLength(150);
    expect(new Set(mocks.captured.twilio.map((t) => t.to)).size).toBe(150);
    expect(await r2Keys(tenant.id, notifyId)).toEqual([]);
  });

  it("a chunk whose every recipient is suppressed counts once however often it is delivered", { timeout: 60_000 }, async () => {
    // Rows 501-600 (the second chunk) all text one suppressed number: that chunk stores no row at all.
    const suppressedNumber = phone(704, 9999);
    expect((await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "sms", recipient: suppressedNumber, reason: "complaint" } })).status).toBe(201);
    const body = smsMerge(600, 704);
    for (let row = 501; row <= 600; row++) body.recipients.mergeArray[row]![0] = suppressedNumber;
    const { receipt, notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", body, tenant.keys.test);
    // Counted as a send counts them: each suppressed occurrence is a message fewer, and its row is not sent.
    expect(receipt.channels).toEqual({ sms: 500 });
    expect(receipt.merge.sms).toEqual({ rows: 600, sent: 500, skipped: 0, errors: [], suppressed: 100, notAllowed: 0 });
    expect(chunks).toHaveLength(2);

    // Twice at once (both copies find it unstored), then again once it is stored.
    expect((await consume("notify-fanout", [chunks[1], chunks[1]])).explicitAcks).toHaveLength(2);
    expect((await consume("notify-fanout", [chunks[1]])).explicitAcks).toHaveLength(1);
    // Still waiting for chunk 0: a redelivered empty chunk must not count as another chunk.
    expect(await notificationRow(notifyId)).toMatchObject({ pending_chunks: 1, status: "accepted" });

    expect((await consume("notify-fanout", [chunks[0]])).explicitAcks).toHaveLength(1);
    expect(await waitFinal(notifyId)).toMatchObject({ status: "delivered", message_count: 500 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 500, recipients: 500, byStatus: { delivered: 500 } });
    expect(await r2Keys(tenant.id, notifyId)).toEqual([]);
  });

  it("a merge whose every row is suppressed is refused like any send, and nothing is stored", async () => {
    const suppressedNumber = phone(704, 9998);
    expect((await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "sms", recipient: suppressedNumber, reason: "complaint" } })).status).toBe(201);
    const body = smsMerge(150, 704);
    for (let row = 1; row <= 150; row++) body.recipients.mergeArray[row]![0] = suppressedNumber;
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { key: tenant.keys.test, body });
    expect(res.status).toBe(422);
    const problem = await json(res);
    expect(problem.detail).toBe("All recipients are suppressed (150); nothing was sent");
    expect(problem.errors).toEqual([{ path: "recipients.mergeArray", message: "Every row's recipients are on your sms suppression list" }]);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>()).toEqual(before);
  });
});

describe("fan-out: rows that fail only when rendered", () => {
  it("a row whose text is too long once rendered is recorded as a technical failure (merge_row_failed); the others are sent", { timeout: 60_000 }, async () => {
    const tenant = await createTestTenant("Fan-out render failures");
    // The up-front check renders recipients, not content: only the fan-out finds row 140's text too long.
    const rows = Array.from({ length: 150 }, (_, i) => [phone(710, i + 1), `P${i + 1}`]);
    rows[139]![1] = "x".repeat(1_000);
    const body = { recipients: { mergeArray: [["to", "name"], ...rows] }, content: { body: "Hi {{name}}" } };
    const { receipt, notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", body, tenant.keys.test);
    expect(receipt.merge.sms).toMatchObject({ rows: 150, sent: 150, skipped: 0 });
    expect((await consume("notify-fanout", chunks)).explicitAcks).toHaveLength(1);
    expect(await waitFinal(notifyId)).toMatchObject({ status: "partially-failed", message_count: 150 });
    const { rows: stored } = await viewMatchingRows(tenant, notifyId);
    expect(stored).toEqual({ n: 150, recipients: 150, byStatus: { delivered: 149, "technical-failure": 1 } });
    // Row 140 is past the view's first 100 messages: the paged list finds it by status.
    const failed = (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/messages?status=technical-failure`))).items;
    expect(failed).toEqual([expect.objectContaining({ recipient: phone(710, 140), error: expect.objectContaining({ code: "merge_row_failed", message: expect.stringMatching(/characters once rendered/) }) })]);
  });

  it("templated recipient cells are rendered by the up-front check: an invalid result is the row's error, and the rendered recipients are what is counted", async () => {
    const tenant = await createTestTenant("Fan-out templated recipients");
    const rows = Array.from({ length: 150 }, (_, i) => ["{{number}}", `P${i + 1}`, phone(711, i + 1)]);
    rows[139]![2] = "12";
    const body = { recipients: { mergeArray: [["to", "name", "number"], ...rows] }, content: { body: "Hi {{name}}" } };
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body, key: tenant.keys.test });
    expect(refused.status).toBe(422);
    expect((await json(refused)).errors).toEqual([expect.objectContaining({ row: 140, column: "to", path: "recipients.mergeArray[140][0]", message: expect.stringContaining("12") })]);
    // One cell rendering to several addresses counts each of them.
    const list = Array.from({ length: 120 }, (_, i) => ["{{people}}", `${phone(712, 2 * i)},${phone(712, 2 * i + 1)}`]);
    const preview = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms?preview=true", { body: { recipients: { mergeArray: [["to", "people"], ...list] }, content: { body: "Hi" } }, key: tenant.keys.test });
    expect(preview.status).toBe(200);
    const counted = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: { recipients: { mergeArray: [["to", "people"], ...list] }, content: { body: "Hi" } }, key: tenant.keys.test });
    expect(counted.status).toBe(201);
    expect((await json(counted)).channels).toEqual({ sms: 240 });
  });
});

describe("fan-out: cancel", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant("Fan-out cancel");
  });

  it("cancelled before any chunk is fanned out: every message is stored cancelled, nothing is sent", { timeout: 60_000 }, async () => {
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(600, 705));
    const res = await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ notifyId, cancelled: 0 });
    expect((await notificationRow(notifyId))!.cancel_requested_at).not.toBeNull();

    const result = await consume("notify-fanout", chunks);
    expect(result.explicitAcks).toHaveLength(2);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "cancelled", pending_chunks: 0, message_count: 600 });
    const { view, rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 600, recipients: 600, byStatus: { cancelled: 600 } });
    expect(view.status).toBe("cancelled");
    await settle();
    expect(mocks.captured.twilio).toHaveLength(0);
    expect(await r2Keys(tenant.id, notifyId)).toEqual([]);
    // Nothing is left to cancel.
    expect((await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`)).status).toBe(409);
  });

  it("cancelled between chunks: the first chunk's waiting deliveries are cancelled, the second is stored cancelled", { timeout: 60_000 }, async () => {
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(600, 706));
    // Chunk 0 is stored and its deliveries handed to a deliver queue that holds them.
    const held: unknown[] = [];
    const holdingQueue = { sendBatch: async (batch: { body: unknown }[]) => void held.push(...batch.map((m) => m.body)), send: async (body: unknown) => void held.push(body) };
    expect((await consume("notify-fanout", [chunks[0]], { ...env, DELIVER_QUEUE: holdingQueue } as unknown as typeof env)).explicitAcks).toHaveLength(1);
    expect(held).toHaveLength(500);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "accepted", pending_chunks: 1 });

    const res = await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ cancelled: 500, status: "cancelled" });

    expect((await consume("notify-fanout", [chunks[1]])).explicitAcks).toHaveLength(1);
    // The held deliver messages arrive after all: cancelled deliveries are not sent.
    const delivered = await consume("notify-deliver", held);
    expect(delivered.explicitAcks).toHaveLength(500);
    expect(mocks.captured.twilio).toHaveLength(0);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "cancelled", pending_chunks: 0, message_count: 600 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 600, recipients: 600, byStatus: { cancelled: 600 } });
  });

  it("a cancel landing while a chunk is being planned still cancels that chunk's messages", { timeout: 60_000 }, async () => {
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(150, 707));
    // The consumer reads the notification (not cancelled), then the chunk from R2: the cancel lands in between.
    const bucket = {
      get: async (key: string) => {
        if (key.endsWith("/sms/0.json")) expect((await asTenant(tenant, "DELETE", `/api/v1/notify/${notifyId}`)).status).toBe(200);
        return env.BUCKET.get(key);
      },
      delete: (keys: string | string[]) => env.BUCKET.delete(keys),
    };
    const held: unknown[] = [];
    const holdingQueue = { sendBatch: async (batch: { body: unknown }[]) => void held.push(...batch.map((m) => m.body)), send: async (body: unknown) => void held.push(body) };
    const result = await consume("notify-fanout", chunks, { ...env, BUCKET: bucket, DELIVER_QUEUE: holdingQueue } as unknown as typeof env);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "cancelled", pending_chunks: 0, message_count: 150 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 150, recipients: 150, byStatus: { cancelled: 150 } });
    // Whatever was enqueued finds its delivery cancelled.
    if (held.length > 0) await consume("notify-deliver", held);
    expect(mocks.captured.twilio).toHaveLength(0);
  });
});

describe("fan-out: dead-lettered chunks", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant("Fan-out dead letters");
  });

  it("a chunk the fan-out gave up on is recorded as failed rows; the notification settles once no chunk is pending", { timeout: 60_000 }, async () => {
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(600, 708), tenant.keys.test);
    const dead = await consume("notify-dead-letter", [chunks[1]], env, 11);
    expect(dead.explicitAcks).toEqual(dead.ids);
    expect(await notificationRow(notifyId)).toMatchObject({ pending_chunks: 1, status: "sending" });
    expect(await messageRows(notifyId)).toEqual({ n: 100, recipients: 100, byStatus: { "technical-failure": 100 } });
    const failed = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(failed.messages).toHaveLength(100);
    for (const m of failed.messages) expect(m.error).toMatchObject({ code: "fanout_failed", message: expect.stringContaining("11 attempts") });
    expect(new Set(failed.messages.map((m: any) => m.recipient))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => phone(708, 501 + i))));

    // The same dead letter again changes nothing.
    expect((await consume("notify-dead-letter", [chunks[1]], env, 11)).explicitAcks).toHaveLength(1);
    expect(await notificationRow(notifyId)).toMatchObject({ pending_chunks: 1 });

    expect((await consume("notify-fanout", [chunks[0]])).explicitAcks).toHaveLength(1);
    expect(await waitFinal(notifyId)).toMatchObject({ status: "partially-failed", pending_chunks: 0, message_count: 600 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 600, recipients: 600, byStatus: { delivered: 500, "technical-failure": 100 } });
  });

  it("every chunk dead-lettered: failed", async () => {
    const { notifyId, chunks } = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", smsMerge(150, 709), tenant.keys.test);
    expect((await consume("notify-dead-letter", chunks, env, 11)).explicitAcks).toHaveLength(1);
    expect(await notificationRow(notifyId)).toMatchObject({ status: "failed", pending_chunks: 0, message_count: 150 });
    const { rows } = await viewMatchingRows(tenant, notifyId);
    expect(rows).toEqual({ n: 150, recipients: 150, byStatus: { "technical-failure": 150 } });
    expect(await r2Keys(tenant.id, notifyId)).toEqual([]);
  });
});
