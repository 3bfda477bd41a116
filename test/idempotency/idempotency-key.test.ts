import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TenantGate } from "../../src/durable-objects/tenant-gate";
import { asAdmin, BASE, json } from "../helpers/http";
import { exports } from "cloudflare:workers";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Idempotency-Key on a tenant's POSTs (middleware/idempotency-key.ts, kept in the tenant's object).
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Idempotency keys", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const sms = (to = "+17787003001") => ({ recipients: { to: [to] }, content: { body: "Your code is 1234" } });
const send = (key: string | undefined, body: unknown, who = tenant, path = "/api/v1/notifysimple/sms") =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { "x-api-key": who.keys.live, "content-type": "application/json", ...(key !== undefined ? { "idempotency-key": key } : {}) },
      body: JSON.stringify(body),
    }),
  );
const notificationsOf = async (who: TestTenant) => (await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(who.id).first<{ n: number }>())!.n;

describe("Idempotency-Key", () => {
  it("the same key and request is answered again from the first, marked as a replay, and sends once", async () => {
    const before = await notificationsOf(tenant);
    const first = await send("order-1", sms());
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const again = await send('"order-1"', sms());
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("content-type")).toMatch(/application\/json/);
    expect(await again.text()).toBe(firstBody);
    expect(await notificationsOf(tenant)).toBe(before + 1);
  });

  it("20 copies at once make one notification: one runs, the others wait (409 with Retry-After) or replay it", async () => {
    const before = await notificationsOf(tenant);
    const answers = await Promise.all(Array.from({ length: 20 }, () => send("burst-1", sms("+17787003002"))));
    const statuses = answers.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(answers.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") !== "true")).toHaveLength(1);
    for (const r of answers.filter((a) => a.status === 409)) {
      expect(r.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(r.headers.get("content-type")).toMatch(/problem\+json/);
    }
    expect(await notificationsOf(tenant)).toBe(before + 1);
  });

  it("the same key with a different request is a 422 naming the header", async () => {
    expect((await send("order-2", sms("+17787003003"))).status).toBe(201);
    const other = await send("order-2", sms("+17787003004"));
    expect(other.status).toBe(422);
    expect((await json(other)).errors[0].path).toBe("(header) Idempotency-Key");
    // The same body on another route is another request too.
    expect((await send("order-2", { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } }, tenant, "/api/v1/notifysimple/email")).status).toBe(422);
  });

  it("an error is not kept as the answer: the corrected request may use the key", async () => {
    const bad = await send("order-3", { recipients: { to: ["not a number"] }, content: { body: "x" } });
    expect(bad.status).toBe(422);
    const good = await send("order-3", sms("+17787003005"));
    expect(good.status).toBe(201);
    expect(good.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a send decides its key in its admission: a send refused by a limit never takes it, so the same request may use it once allowed", async () => {
    const limited = await createTestTenant("Idempotency keys at admission", { status: "live", limits: { dailySms: 1 } });
    expect((await send(undefined, sms("+17787003010"), limited)).status).toBe(201);
    const refused = await send("after-limit", sms("+17787003011"), limited);
    expect(refused.status).toBe(429);
    expect(await notificationsOf(limited)).toBe(1);
    expect((await asAdmin("PATCH", `/api/v1/tenants/${limited.id}`, { body: { limits: { dailySms: 10 } } })).status).toBe(200);
    const allowed = await send("after-limit", sms("+17787003011"), limited);
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get("idempotent-replayed")).toBeNull();
    const again = await send("after-limit", sms("+17787003011"), limited);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await json(again)).toEqual(await json(allowed));
    expect(await notificationsOf(limited)).toBe(2);
  });

  it("a send answered as a duplicate keeps that answer for its key", async () => {
    const first = await send("dup-a", sms("+17787003012"));
    expect(first.status).toBe(201);
    const duplicate = await send("dup-b", sms("+17787003012"));
    expect(duplicate.status).toBe(200);
    const { notifyId } = await json(first);
    expect((await json(duplicate)).notifyId).toBe(notifyId);
    const replayed = await send("dup-b", sms("+17787003012"));
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(replayed)).notifyId).toBe(notifyId);
  });

  it("the tenant's object answers a key in use from the admission call itself, admitting nothing", async () => {
    const gate = env.TENANT_GATE.get(env.TENANT_GATE.idFromName(`admit-key-${crypto.randomUUID()}`));
    const request = { bucket: "send:live", perMinute: 1, daily: {}, key: { key: "k", fingerprint: "f" } };
    expect(await gate.admit(request)).toMatchObject({ allowed: true });
    // The bucket of one request a minute is spent: were the key not checked first, this would be a 429.
    expect(await gate.admit(request)).toMatchObject({ allowed: false, reason: "key", begun: { kind: "in_flight" } });
    expect(await gate.admit({ ...request, key: { key: "k", fingerprint: "other" } })).toMatchObject({ allowed: false, reason: "key", begun: { kind: "mismatch" } });
    await gate.finishKey("k", "f", { status: 201, headers: {}, body: "{}" });
    expect(await gate.admit(request)).toMatchObject({ allowed: false, reason: "key", begun: { kind: "replay", status: 201 } });
  });

  it("keys are per tenant, and bounded: 1 to 255 printable ASCII characters", async () => {
    const other = await createTestTenant("Idempotency other", { status: "live" });
    expect((await send("shared-key", sms("+17787003006"))).status).toBe(201);
    const theirs = await send("shared-key", sms("+17787003006"), other);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    for (const key of ["x".repeat(256), "", "ключ"]) {
      const res = await send(key, sms());
      expect(res.status, key).toBe(400);
      expect((await json(res)).errors[0].path).toBe("(header) Idempotency-Key");
    }
    expect((await send("k".repeat(255), sms("+17787003007"))).status).toBe(201);
    // A test key reusing a live key's key is another request, not a replay of the live answer.
    const byTestKey = await exports.default.fetch(
      new Request(`${BASE}/api/v1/notifysimple/sms`, {
        method: "POST",
        headers: { "x-api-key": tenant.keys.test, "content-type": "application/json", "idempotency-key": "shared-key" },
        body: JSON.stringify(sms("+17787003006")),
      }),
    );
    expect(byTestKey.status).toBe(422);
  });

  it("a CSV upload sent again (a new multipart boundary) is the same request", async () => {
    const upload = () => {
      const form = new FormData();
      form.set("request", JSON.stringify({ sms: { content: { body: "Hi {{name}}" } } }));
      form.set("file", new Blob(["phone number,name\n+17787003010,Ann\n"], { type: "text/csv" }), "people.csv");
      return exports.default.fetch(new Request(`${BASE}/api/v1/notifysimple`, { method: "POST", headers: { "x-api-key": tenant.keys.live, "idempotency-key": "csv-1" }, body: form }));
    };
    const first = await upload();
    expect(first.status).toBe(201);
    const again = await upload();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(again)).notifyId).toBe((await json(first)).notifyId);
  });

  it("applies to other creating POSTs too (a template)", async () => {
    const body = { name: `Idem ${crypto.randomUUID()}`, channel: "sms", body: "Hi ((name))" };
    const first = await asTenant(tenant, "POST", "/api/v1/templates", { body, headers: { "idempotency-key": "tpl-1" } });
    expect(first.status).toBe(201);
    const again = await asTenant(tenant, "POST", "/api/v1/templates", { body, headers: { "idempotency-key": "tpl-1" } });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(again)).id).toBe((await json(first)).id);
  });

  it("the object's alarm deletes expired keys, so its storage stays bounded", async () => {
    const gate = env.TENANT_GATE.get(env.TENANT_GATE.idFromName(`alarm-${crypto.randomUUID()}`));
    const past = Date.now() - 25 * 3_600_000;
    await gate.beginKey("old", "f", past);
    await gate.finishKey("old", "f", { status: 201, headers: {}, body: "{}" }, past);
    await gate.beginKey("fresh", "f");
    await gate.finishKey("fresh", "f", { status: 201, headers: {}, body: "{}" });
    expect(await gate.countKeys()).toBe(2);
    expect(await runDurableObjectAlarm(gate)).toBe(true);
    expect(await gate.countKeys()).toBe(1);
    expect(await runInDurableObject(gate, async (_o: TenantGate, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now());
  });
});
