import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, json } from "../helpers/http";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Test keys: the simulator delivers through the real queue, one attempt per delivery.
let tenant: TestTenant;
let other: TestTenant;
let notifyId: string;

beforeAll(async () => {
  tenant = await createTestTenant("Attempts");
  other = await createTestTenant("Attempts other");
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", {
    key: tenant.keys.test,
    body: { recipients: { to: ["+17787001001", "+17787001002", "+17787001003"] }, content: { body: "Hello" } },
  });
  expect(res.status).toBe(201);
  notifyId = (await json(res)).notifyId;
  await waitForNotification(tenant, notifyId);
});

const list = (query = "", id = notifyId, owner = tenant) => asTenant(owner, "GET", `/api/v1/notify/${id}/attempts${query}`, { key: owner.keys.test });

describe("GET /api/v1/notify/{notifyId}/attempts", () => {
  it("lists every attempt with its provider and outcome, newest first, a page at a time", async () => {
    const first = await json(await list("?limit=2"));
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toEqual({
      attemptId: expect.any(String),
      deliveryId: expect.any(String),
      channel: "sms",
      attempt: 1,
      provider: "simulator",
      outcome: "accepted",
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      httpStatus: null,
      error: null,
      providerMessageId: expect.stringMatching(/^sim-/),
    });
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await json(await list(`?limit=2&cursor=${first.nextCursor}`));
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((a: { deliveryId: string }) => a.deliveryId);
    expect(new Set(ids).size).toBe(3);
  });

  it("keeps only a message's attempts with messageId, and 404s a message of another notification", async () => {
    const messages = (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}/messages`, { key: tenant.keys.test }))).items;
    const page = await json(await list(`?messageId=${messages[0].messageId}`));
    expect(page.items).toHaveLength(1);
    const row = await env.DB.prepare("SELECT delivery_id FROM messages WHERE id = ?").bind(messages[0].messageId).first<{ delivery_id: string }>();
    expect(page.items[0].deliveryId).toBe(row!.delivery_id);
    expect((await list(`?messageId=${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("answers another tenant's notification as unknown, and checks its parameters", async () => {
    const res = await list("", notifyId, other);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await list("?limit=500")).status).toBe(400);
    expect((await list("?messageId=nope")).status).toBe(400);
    expect((await call("GET", `/api/v1/notify/${notifyId}/attempts`)).status).toBe(401);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await json(await asTenant(tenant, "GET", "/openapi.json"));
    const op = doc.paths["/api/v1/notify/{notifyId}/attempts"].get;
    expect(op.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/DeliveryAttemptList");
    expect(doc.components.schemas.DeliveryAttempt.properties.outcome.enum).toEqual(["accepted", "retryable", "permanent", "configuration", "unknown", "skipped", "not_sent"]);
  });

  it("goes with its notification when that is deleted", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { key: tenant.keys.test, body: { recipients: { to: ["+17787001009"] }, content: { body: "Bye" } } });
    const id = (await json(res)).notifyId;
    await waitForNotification(tenant, id);
    const count = () => env.DB.prepare("SELECT COUNT(*) AS n FROM delivery_attempts WHERE notification_id = ?").bind(id).first<{ n: number }>();
    expect((await count())!.n).toBe(1);
    await env.DB.prepare("DELETE FROM notifications WHERE id = ?").bind(id).run();
    expect((await count())!.n).toBe(0);
  });
});
