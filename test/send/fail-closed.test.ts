import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, json } from "../helpers/http";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

// Limits and idempotency keys live in the tenant's Durable Object; when it cannot be reached a
// send fails closed: 503 with Retry-After, nothing stored (services/gate/admit.ts).
let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Fail closed", { status: "live" });
});

const unreachable = {
  ...env,
  TENANT_GATE: {
    idFromName: (name: string) => env.TENANT_GATE.idFromName(name),
    get: () =>
      new Proxy({}, { get: () => async () => Promise.reject(new Error("Durable Object reset because its code was updated")) }),
  },
} as unknown as typeof env;

const send = (headers: Record<string, string> = {}) =>
  worker.fetch(
    new Request(`${BASE}/api/v1/notifysimple/sms`, {
      method: "POST",
      headers: { "x-api-key": tenant.keys.live, "content-type": "application/json", ...headers },
      body: JSON.stringify({ recipients: { to: ["+17787004001"] }, content: { body: "Hello" } }),
    }),
    unreachable,
    createExecutionContext(),
  );

const stored = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>())!.n;

describe("the tenant's object unreachable", () => {
  it("a send is refused with 503 and Retry-After, and nothing is stored", async () => {
    const res = await send();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
    expect((await json(res)).type).toMatch(/unavailable$/);
    expect(await stored()).toBe(0);
  });

  it("so is a send with an Idempotency-Key (the key cannot be taken)", async () => {
    const res = await send({ "idempotency-key": "k-1" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await stored()).toBe(0);
  });
});
