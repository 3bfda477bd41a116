import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant } from "../helpers/tenants";

// A send checks its recipients against the suppression list in the batch that stores it; when
// that finds someone suppressed nothing is stored, the admission is given back and the send is
// admitted again without them. These tests pin what a client sees of that second pass: the same
// answer, one request counted, the daily allowance counting only who is sent to, and the
// duplicate window and Idempotency-Key working on the send as it was stored.
const mocks = createProviderMocks();
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const suppress = (tenant: Awaited<ReturnType<typeof createTestTenant>>, channel: string, recipient: string) =>
  asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel, recipient, reason: "Replied STOP" } });
const sms = (...to: string[]) => ({ recipients: { to }, content: { body: "Your code is 4321" } });

describe("the suppression check made while storing", () => {
  it("a send with a suppressed recipient takes one request from the per-minute limit, and the daily allowance only for the others", async () => {
    const tenant = await createTestTenant("Store check", { status: "live", limits: { requestsPerMinute: 10, dailySms: 3 } });
    await suppress(tenant, "sms", "+17787009999");
    const first = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms("+17787001234", "+17787009999") });
    expect(first.status).toBe(201);
    const receipt = await json(first);
    expect(receipt.channels).toEqual({ sms: 1 });
    expect(receipt.suppressed).toEqual([{ channel: "sms", recipient: "+17787009999", path: "recipients.to[1]", reason: "Replied STOP", source: "api" }]);
    expect(first.headers.get("ratelimit")).toMatch(/^"send-live";r=9;t=\d+$/);
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`));
    expect(status.messages.map((m: { recipient: string }) => m.recipient)).toEqual(["+17787001234"]);

    // One of the three messages a day is used: the suppressed number was given back.
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: { ...sms("+17787001001", "+17787001002", "+17787001003") } });
    expect(refused.status).toBe(429);
    expect((await json(refused)).detail).toBe("Exceeded send limits (sms: 3) for today; 1 already used, so 2 more fit today and this request has 3");
    expect(refused.headers.get("ratelimit")).toMatch(/^"daily-sms";r=2;t=\d+$/);
  });

  it("a send whose suppressed recipients do not fit the daily allowance is still sent to the others", async () => {
    const tenant = await createTestTenant("Store check daily", { status: "live", limits: { dailySms: 1 } });
    await suppress(tenant, "sms", "+17787009999");
    const sent = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms("+17787001234", "+17787009999") });
    expect(sent.status).toBe(201);
    expect((await json(sent)).channels).toEqual({ sms: 1 });
    // The allowance is used now; a send to nobody but the suppressed number is still the 422 it always was.
    const nobody = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms("+17787009999") });
    expect(nobody.status).toBe(422);
    const over = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms("+17787001235") });
    expect(over.status).toBe(429);
  });

  it("the same send again is a duplicate of the stored one, and an Idempotency-Key replays its answer", async () => {
    const tenant = await createTestTenant("Store check window");
    await suppress(tenant, "email", "gone@example.com");
    const body = { recipients: { to: ["ann@example.com", "gone@example.com"] }, content: { subject: "s", body: "b" } };
    const first = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body, key: tenant.keys.test });
    expect(first.status).toBe(201);
    const { notifyId } = await json(first);
    const again = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body, key: tenant.keys.test });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(again)).notifyId).toBe(notifyId);

    const keyed = { key: tenant.keys.test, headers: { "idempotency-key": "store-check-1" } };
    const withKey = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { ...body, allowDuplicate: true }, ...keyed });
    expect(withKey.status).toBe(201);
    const replay = await asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: { ...body, allowDuplicate: true }, ...keyed });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(replay)).notifyId).toBe((await json(withKey)).notifyId);
    expect((await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items).toHaveLength(2);
  });

  it("20 identical sends at once with a suppressed recipient: one notification, the others answered with it, none told to retry", async () => {
    const tenant = await createTestTenant("Store check race");
    await suppress(tenant, "email", "gone@example.com");
    const body = { recipients: { to: ["ann@example.com", "gone@example.com"] }, content: { subject: "race", body: "b" } };
    const answers = await Promise.all(Array.from({ length: 20 }, () => asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body, key: tenant.keys.test })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(18).fill(200), 201].sort());
    const ids = new Set((await Promise.all(answers.map((r) => json(r)))).map((b) => b.notifyId));
    expect(ids.size).toBe(1);
    expect((await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items).toHaveLength(1);

    // Every recipient suppressed: each copy is the 422 a single one is.
    const nobody = { recipients: { to: ["gone@example.com"] }, content: { subject: "race", body: "b" } };
    const refused = await Promise.all(Array.from({ length: 10 }, () => asTenant(tenant, "POST", "/api/v1/notifysimple/email", { body: nobody, key: tenant.keys.test })));
    expect(refused.map((r) => r.status)).toEqual(Array(10).fill(422));
  });

  it("a send whose every recipient is suppressed is refused with nothing stored", async () => {
    const tenant = await createTestTenant("Store check all");
    await suppress(tenant, "sms", "+17787008888");
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple/sms", { body: sms("+17787008888"), key: tenant.keys.test });
    expect(res.status).toBe(422);
    expect((await json(res)).detail).toContain("All recipients are suppressed");
    expect((await json(await asTenant(tenant, "GET", "/api/v1/notify"))).items).toEqual([]);
  });
});
