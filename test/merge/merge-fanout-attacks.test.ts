import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { FanoutMessage } from "../../src/services/fanout/start";
import { asAdmin, BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// What an attack pass against `npm start` found in merges of more than 100 rows (the fan-out),
// each kept as a test: recipients written as placeholders, inherited recipients, one bad row in a
// chunk, content that does not parse, inherited property names, rows of many recipients.
const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const phone = (exchange: number, i: number) => `+1778${exchange}${String(i).padStart(4, "0")}`;

/** Starts a send with a FANOUT_QUEUE that records the chunk messages instead of queueing them. */
async function startWithoutQueue(tenant: TestTenant, path: string, body: unknown, key: string) {
  const chunks: FanoutMessage[] = [];
  const fanoutQueue = { sendBatch: async (batch: { body: FanoutMessage }[]) => void chunks.push(...batch.map((m) => m.body)), send: async (b: FanoutMessage) => void chunks.push(b) };
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) }),
    { ...env, FANOUT_QUEUE: fanoutQueue } as unknown as typeof env,
    createExecutionContext(),
  );
  return { res, body: await json(res), chunks };
}

async function consumeChunks(chunks: FanoutMessage[]) {
  const batch = createMessageBatch("notify-fanout", chunks.map((body, i) => ({ id: `c${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

const statuses = async (notifyId: string) => {
  const { results } = await env.DB.prepare("SELECT status, COUNT(*) AS n FROM messages WHERE notification_id = ? GROUP BY status").bind(notifyId).all<{ status: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.status, r.n]));
};

describe("fan-out: recipients as the planner renders them", () => {
  it("a team key cannot reach people off the guest list through {{param}} recipient cells", async () => {
    const tenant = await createTestTenant("Fan-out guest list", { status: "live" });
    await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: { emails: ["guest@example.com"], phones: [] } });
    const rows = [["guest@example.com", "guest@example.com"], ...Array.from({ length: 149 }, (_, i) => ["{{addr}}", `stranger${i}@evil.example`])];
    const body = { recipients: { mergeArray: [["to", "addr"], ...rows] }, content: { subject: "s", body: "b" } };
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body, key: tenant.keys.team });
    expect(res.status).toBe(400);
    const problem = await json(res);
    expect(problem.code ?? problem.type).toMatch(/recipient_not_allowed/);
    expect(problem.errors[0]).toMatchObject({ row: 2, column: "to", message: expect.stringContaining("stranger0@evil.example") });
    // Skipping them leaves the guest's row alone, counted as such.
    const skipping = await startWithoutQueue(tenant, "/api/v1/notifysimple/email", { ...body, recipients: { ...body.recipients, skipInvalidRows: true } }, tenant.keys.team);
    expect(skipping.res.status).toBe(201);
    expect(skipping.body.merge.email).toMatchObject({ rows: 150, sent: 1, skipped: 149, notAllowed: 149 });
    expect(skipping.body.channels).toEqual({ email: 1 });
  });

  it("the fan-out holds a team key to the guest list again: a guest removed after the request is not sent to", async () => {
    const tenant = await createTestTenant("Fan-out guest list later", { status: "live" });
    const guests = Array.from({ length: 120 }, (_, i) => `guest${i}@example.com`);
    await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: { emails: guests, phones: [] } });
    const started = await startWithoutQueue(tenant, "/api/v1/notifysimple/email", { recipients: { mergeArray: [["to"], ...guests.map((g) => [g])] }, content: { subject: "s", body: "b" } }, tenant.keys.team);
    expect(started.res.status).toBe(201);
    await asTenant(tenant, "PUT", "/api/v1/tenant/guest-list", { body: { emails: guests.slice(1), phones: [] } });
    await consumeChunks(started.chunks);
    // The other 119 go out through the real deliver queue; wait for them so nothing runs past the test.
    for (let i = 0; i < 100 && (await statuses(started.body.notifyId)).delivered !== 119; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await statuses(started.body.notifyId)).toEqual({ delivered: 119, "technical-failure": 1 });
    const failed = await env.DB.prepare("SELECT recipient, error FROM messages WHERE notification_id = ? AND status = 'technical-failure'").bind(started.body.notifyId).first<{ recipient: string; error: string }>();
    expect(failed!.recipient).toBe("guest0@example.com");
    expect(JSON.parse(failed!.error)).toMatchObject({ code: "recipient_not_allowed" });
  });

  it("daily allowances count the recipients rows inherit (a tenant default bcc) and cells rendering to several", async () => {
    const tenant = await createTestTenant("Fan-out allowance", { status: "live" });
    expect((await asAdmin("PATCH", `/api/v1/tenants/${tenant.id}`, { body: { limits: { dailyEmail: 250 } } })).status).toBe(200);
    expect((await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { bcc: ["audit@example.gov"] } } })).status).toBe(200);
    const rows = Array.from({ length: 150 }, (_, i) => [`p${i}@example.com`]);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { mergeArray: [["to"], ...rows] }, content: { subject: "s", body: "b" } } });
    expect(res.status).toBe(429);
    expect((await json(res)).detail).toMatch(/250 more fit today and this request has 300/);
    const listed = Array.from({ length: 101 }, (_, i) => ["{{people}}", `a${i}@example.com,b${i}@example.com,c${i}@example.com`]);
    const many = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { mergeArray: [["to", "people"], ...listed] }, content: { subject: "s", body: "b" } } });
    expect(many.status).toBe(429);
    expect((await json(many)).detail).toMatch(/this request has 404/);
  });

  it("a row of more than 50 recipients is the row's error up front, not a failure of its chunk", async () => {
    const tenant = await createTestTenant("Fan-out wide row", { status: "live" });
    const rows = Array.from({ length: 150 }, (_, i) => [`w${i}@example.com`]);
    rows[119] = [Array.from({ length: 51 }, (_, j) => `wide${j}@example.com`).join(",")];
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { mergeArray: [["to"], ...rows] }, content: { subject: "s", body: "b" } }, key: tenant.keys.test });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([expect.objectContaining({ row: 120, message: "51 recipients; an email may have at most 50" })]);
  });
});

describe("fan-out: failures confined to their row", () => {
  it("a subject too long once rendered fails its row only, even though the planner reports it at content.subject", async () => {
    const tenant = await createTestTenant("Fan-out long subject", { status: "live" });
    const rows = Array.from({ length: 150 }, (_, i) => [`s${i}@example.com`, `S${i}`]);
    rows[119]![1] = "y".repeat(1_000);
    const started = await startWithoutQueue(tenant, "/api/v1/notifysimple/email", { recipients: { mergeArray: [["to", "title"], ...rows] }, content: { subject: "{{title}}", body: "b" } }, tenant.keys.test);
    expect(started.res.status).toBe(201);
    await consumeChunks(started.chunks);
    const counted = await statuses(started.body.notifyId);
    expect((counted.created ?? 0) + (counted.sending ?? 0) + (counted.delivered ?? 0)).toBe(149);
    expect(counted["technical-failure"]).toBe(1);
    const failed = await env.DB.prepare("SELECT recipient, error FROM messages WHERE notification_id = ? AND status = 'technical-failure'").bind(started.body.notifyId).first<{ recipient: string; error: string }>();
    expect(failed!.recipient).toBe("s119@example.com");
    expect(JSON.parse(failed!.error)).toMatchObject({ code: "merge_row_failed", message: expect.stringContaining("998") });
  });
});

describe("fan-out: the request's own problems", () => {
  it("content that does not parse is a 422 at its field, never a 500 (send and preview)", async () => {
    const tenant = await createTestTenant("Fan-out syntax", { status: "live" });
    const rows = Array.from({ length: 150 }, (_, i) => [`t${i}@example.com`, `N${i}`]);
    for (const bodyText of ["Hi {{> footer}}", "Hi {{#name}} open", "Hi {{/name}}"]) {
      for (const query of ["", "?preview=true"]) {
        const res = await asTenant(tenant, "POST", `/api/v1/notifysimple/email${query}`, { body: { recipients: { mergeArray: [["to", "name"], ...rows] }, content: { subject: "s", body: bodyText } }, key: tenant.keys.test });
        expect(res.status, `${bodyText} ${query}`).toBe(422);
        expect((await json(res)).errors[0].path, bodyText).toBe("content.body");
      }
    }
  });

  it("a parameter named like an inherited property (constructor, toString) is missing unless a column gives it", async () => {
    const tenant = await createTestTenant("Fan-out builtins", { status: "live" });
    const rows = Array.from({ length: 150 }, (_, i) => [`b${i}@example.com`]);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { mergeArray: [["to"], ...rows] }, content: { subject: "s", body: "{{constructor}} {{toString}}" } }, key: tenant.keys.test });
    expect(res.status).toBe(422);
  });

  it("chunks are bounded by recipients as well as rows: 600 rows of 5 numbers are 3 chunks of 1,000", async () => {
    const tenant = await createTestTenant("Fan-out wide chunks", { status: "live" });
    const rows = Array.from({ length: 600 }, (_, i) => [Array.from({ length: 5 }, (_, j) => phone(720 + j, i)).join(",")]);
    const started = await startWithoutQueue(tenant, "/api/v1/notifysimple/sms", { recipients: { mergeArray: [["to"], ...rows] }, content: { body: "Hi" } }, tenant.keys.test);
    expect(started.res.status).toBe(201);
    expect(started.body.channels).toEqual({ sms: 3000 });
    expect(started.chunks.map((c) => c.chunk)).toEqual([0, 1, 2]);
  });

  it("a __proto__ column is refused (400), as a __proto__ key is anywhere in a body", async () => {
    const tenant = await createTestTenant("Fan-out proto column", { status: "live" });
    const rows = Array.from({ length: 150 }, (_, i) => [`q${i}@example.com`, "x"]);
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { recipients: { mergeArray: [["to", "__proto__"], ...rows] }, content: { subject: "s", body: "b" } }, key: tenant.keys.test });
    expect(res.status).toBe(400);
    expect((await json(res)).errors[0]).toMatchObject({ path: "recipients.mergeArray[0][1]" });
  });

  it("a preview of a fanned-out merge counts suppressed recipients over all rows and takes a request from the per-minute allowance", async () => {
    const tenant = await createTestTenant("Fan-out preview", { status: "live" });
    expect((await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "v140@example.com", reason: "bounced" } })).status).toBe(201);
    expect((await asAdmin("PATCH", `/api/v1/tenants/${tenant.id}`, { body: { limits: { requestsPerMinute: 2 } } })).status).toBe(200);
    const rows = Array.from({ length: 150 }, (_, i) => [`v${i}@example.com`]);
    const body = { recipients: { mergeArray: [["to"], ...rows] }, content: { subject: "s", body: "b" } };
    const preview = await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body, key: tenant.keys.test });
    expect(preview.status).toBe(200);
    expect((await json(preview)).merge.email).toMatchObject({ rows: 150, sent: 149, suppressed: 1 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await asTenant(tenant, "POST", "/api/v1/notifysimple/email?preview=true", { body, key: tenant.keys.test })).status);
    expect(statuses).toContain(429);
  });
});
