import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("TenantGate token bucket", () => {
  it("allows a burst up to the per-minute limit, then refuses with a retry time", async () => {
    const gate = env.TENANT_GATE.get(env.TENANT_GATE.idFromName(crypto.randomUUID()));
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) expect((await gate.take("send", 3, 1, t0)).allowed).toBe(true);
    const refused = await gate.take("send", 3, 1, t0);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 20, limit: 3 });
    // 3 per minute refills one token every 20 s
    expect((await gate.take("send", 3, 1, t0 + 20_000)).allowed).toBe(true);
    expect((await gate.take("send", 3, 1, t0 + 20_000)).allowed).toBe(false);
  });

  it("takes a batch cost at once or not at all, and keeps buckets apart", async () => {
    const gate = env.TENANT_GATE.get(env.TENANT_GATE.idFromName(crypto.randomUUID()));
    const t0 = 1_700_000_000_000;
    expect(await gate.take("a", 10, 7, t0)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await gate.take("a", 10, 5, t0)).toMatchObject({ allowed: false, remaining: 3 });
    expect(await gate.take("b", 10, 5, t0)).toMatchObject({ allowed: true, remaining: 5 });
  });

  it("keeps its counts across an eviction (SQLite storage, not memory)", async () => {
    const stub = env.TENANT_GATE.get(env.TENANT_GATE.idFromName(crypto.randomUUID()));
    const t0 = 1_700_000_000_000;
    await stub.take("send", 2, 2, t0);
    await evictDurableObject(stub);
    expect((await stub.take("send", 2, 1, t0)).allowed).toBe(false);
  });
});
