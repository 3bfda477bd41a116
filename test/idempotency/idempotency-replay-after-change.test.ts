import { env, exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// On the send routes the key is decided at admission, after the request is planned. A retry of
// a send that was accepted may no longer pass (its recipient suppressed since, its delayedSend
// now past); it must still get the first answer, replayed, not an error.
const mocks = createProviderMocks();
let tenant: TestTenant;
beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("key replay after change", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const send = (key: string, body: unknown, path = "/api/v1/notifysimple/email") =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { "x-api-key": tenant.keys.live, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify(body),
    }),
  );
const count = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>())!.n;

describe("Idempotency-Key replay of a send whose request no longer validates", () => {
  it("a retry after the recipient was suppressed replays the first answer instead of a 422", async () => {
    const body = { recipients: { to: ["later-unsubscribed@example.com"] }, content: { subject: "Receipt", body: "Paid" } };
    const first = await send("receipt-1", body);
    expect(first.status).toBe(201);
    const { notifyId } = await json(first);
    // The recipient unsubscribes (or an operator suppresses them) before the client's retry arrives.
    const suppressed = await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel: "email", recipient: "later-unsubscribed@example.com" } });
    expect(suppressed.status).toBe(201);
    const before = await count();
    const retry = await send("receipt-1", body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(retry)).notifyId).toBe(notifyId);
    expect(await count()).toBe(before);
  });

  it("a retry of a delayed send whose time has since passed replays the first answer instead of a 422", async () => {
    const body = { recipients: { to: ["+17787009401"] }, content: { body: "Reminder" }, delayedSend: new Date(Date.now() + 1_500).toISOString() };
    const first = await send("reminder-1", body, "/api/v1/notifysimple/sms");
    expect(first.status).toBe(201);
    const { notifyId } = await json(first);
    await new Promise((r) => setTimeout(r, 2_000));
    const retry = await send("reminder-1", body, "/api/v1/notifysimple/sms");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await json(retry)).notifyId).toBe(notifyId);
  });
});
