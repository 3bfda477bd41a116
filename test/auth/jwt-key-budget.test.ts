import { beforeAll, describe, expect, it } from "vitest";
import { MAX_JWT_KEYS_TRIED } from "../../src/services/auth/authenticate";
import { asAdmin, call, json, notifyToken } from "../helpers/http";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

const whoami = (token: string) => call("GET", "/api/v1/tenant", { headers: { authorization: `Bearer ${token}` } });

describe("a JWT is checked against a bounded number of keys", () => {
  let tenant: TestTenant;
  const extra: { id: string; key: string }[] = [];
  beforeAll(async () => {
    tenant = await createTestTenant("Many keys");
    // The tenant's three keys are now its oldest; push them past the budget.
    for (let i = 0; i < MAX_JWT_KEYS_TRIED; i++) {
      extra.push(await json(await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: `k${i}`, type: "test" } })));
    }
  });

  it("the newest keys verify without help", async () => {
    const res = await whoami(await notifyToken(extra.at(-1)!.key));
    expect((await json(res)).key.id).toBe(extra.at(-1)!.id);
  });

  it("a key beyond the newest MAX_JWT_KEYS_TRIED is not tried, unless the token names it in `kid`", async () => {
    const refused = await whoami(await notifyToken(tenant.keys.live));
    expect(refused.status).toBe(403);
    expect((await json(refused)).detail).toMatch(/does not match any API key/);
    const named = await whoami(await notifyToken(tenant.keys.live, {}, { typ: "JWT", alg: "HS256", kid: tenant.keyIds.live }));
    expect(named.status).toBe(200);
    expect((await json(named)).key.id).toBe(tenant.keyIds.live);
  });

  it("a kid naming another key refuses the token rather than trying the rest", async () => {
    const res = await whoami(await notifyToken(tenant.keys.live, {}, { typ: "JWT", alg: "HS256", kid: extra[0]!.id }));
    expect(res.status).toBe(403);
    const unknown = await whoami(await notifyToken(tenant.keys.live, {}, { typ: "JWT", alg: "HS256", kid: crypto.randomUUID() }));
    expect((await json(unknown)).detail).toMatch(/kid names no API key/);
    // A kid that cannot be a key id is refused too, not ignored.
    const junk = await whoami(await notifyToken(tenant.keys.live, {}, { typ: "JWT", alg: "HS256", kid: "../../etc" }));
    expect(junk.status).toBe(403);
    expect((await json(junk)).detail).toMatch(/kid must be the id of one of your API keys/);
  });

  it("a revoked key named in kid gets the precise refusal", async () => {
    const revokedKey = extra.at(-2)!;
    expect((await asAdmin("DELETE", `/api/v1/tenants/${tenant.id}/api-keys/${revokedKey.id}`)).status).toBeLessThan(300);
    const res = await whoami(await notifyToken(revokedKey.key, {}, { typ: "JWT", alg: "HS256", kid: revokedKey.id }));
    expect((await json(res)).detail).toMatch(/revoked/);
  });
});
