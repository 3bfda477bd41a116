import { SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { asAdmin, call, json, notifyToken } from "../helpers/http";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

const whoami = (headers: Record<string, string>) => call("GET", "/api/v1/tenant", { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

async function expectRefused(res: Response, status: 401 | 403, detail: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json(res);
  expect(problem.code).toBe(status === 401 ? "unauthorized" : "forbidden");
  expect(problem.detail).toMatch(detail);
}

describe("tenant authentication", () => {
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    a = await createTestTenant("Tenant A");
    b = await createTestTenant("Tenant B");
  });

  it("accepts a token made the way GOV.UK Notify clients make it, and says who the caller is", async () => {
    const res = await whoami(bearer(await notifyToken(a.keys.live)));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      tenant: { id: a.id, name: "Tenant A", status: "live" },
      key: { id: a.keyIds.live, name: "live key", type: "live", permissions: ["send", "read", "manage"] },
      authMethod: "jwt",
    });
  });

  it("accepts X-API-Key and ApiKey-v1, and carries the key type", async () => {
    const viaHeader = await json(await whoami({ "x-api-key": a.keys.test }));
    expect(viaHeader.key).toEqual({ id: a.keyIds.test, name: "test key", type: "test", permissions: ["send", "read"] });
    expect(viaHeader.authMethod).toBe("api-key");
    const viaGc = await json(await whoami({ authorization: `ApiKey-v1 ${a.keys.team}` }));
    expect(viaGc.key.type).toBe("team");
    const lower = await whoami({ authorization: `bearer ${await notifyToken(a.keys.team)}` });
    expect((await json(lower)).key.type).toBe("team");
  });

  it("401s without credentials or with another scheme", async () => {
    await expectRefused(await whoami({}), 401, /authentication token must be provided/);
    await expectRefused(await whoami({ authorization: "Basic dXNlcjpwYXNz" }), 401, /Bearer/);
    await expectRefused(await whoami({ authorization: "Bearer" }), 401, /Bearer/);
  });

  it("403s a malformed combined key, an unknown secret and another tenant's secret", async () => {
    await expectRefused(await whoami({ "x-api-key": "not-a-key" }), 403, /combined form/);
    const unknown = `${a.keys.live.slice(0, -36)}${crypto.randomUUID()}`;
    await expectRefused(await whoami({ "x-api-key": unknown }), 403, /API key not found/);
    const crossed = `${a.keys.live.slice(0, -36)}${b.keys.live.slice(-36)}`;
    await expectRefused(await whoami({ "x-api-key": crossed }), 403, /API key not found/);
  });

  it("403s tokens that are not JWTs, unsigned, or signed with another algorithm", async () => {
    await expectRefused(await whoami(bearer("abc.def")), 403, /not a JWT/);
    const none = new UnsecuredJWT({ iss: a.id, iat: now() }).encode();
    await expectRefused(await whoami(bearer(none)), 403, /algorithm used is not HS256 \(got none\)/);
    const hs512 = await new SignJWT({ iss: a.id, iat: now() })
      .setProtectedHeader({ alg: "HS512" })
      .sign(new TextEncoder().encode(a.keys.live.slice(-36).repeat(2)));
    await expectRefused(await whoami(bearer(hs512)), 403, /algorithm used is not HS256 \(got HS512\)/);
  });

  it("403s a bad signature, another tenant's key, an unknown tenant and a missing iss", async () => {
    const forged = await new SignJWT({ iss: a.id, iat: now() })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(crypto.randomUUID()));
    await expectRefused(await whoami(bearer(forged)), 403, /signature does not match/);
    // b's key, a's tenant id as issuer
    const crossed = await notifyToken(`${a.keys.live.slice(0, -36)}${b.keys.live.slice(-36)}`);
    await expectRefused(await whoami(bearer(crossed)), 403, /signature does not match/);
    const ghost = await notifyToken(`x-${crypto.randomUUID()}-${crypto.randomUUID()}`);
    await expectRefused(await whoami(bearer(ghost)), 403, /tenant not found/);
    const noIss = await new SignJWT({ iat: now() }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("x"));
    await expectRefused(await whoami(bearer(noIss)), 403, /iss field not provided/);
  });

  it("403s stale, future and missing iat, and allows the ±30 s skew", async () => {
    await expectRefused(await whoami(bearer(await notifyToken(a.keys.live, { iat: now() - 45 }))), 403, /clock.*expired/);
    await expectRefused(await whoami(bearer(await notifyToken(a.keys.live, { iat: now() + 45 }))), 403, /clock.*future/);
    await expectRefused(await whoami(bearer(await notifyToken(a.keys.live, { iat: undefined }))), 403, /iat field not provided/);
    expect((await whoami(bearer(await notifyToken(a.keys.live, { iat: now() - 25 })))).status).toBe(200);
    expect((await whoami(bearer(await notifyToken(a.keys.live, { iat: now() + 25 })))).status).toBe(200);
  });

  it("403s a revoked key's token, even one this isolate has just accepted (its remembered credentials are forgotten)", async () => {
    const c = await createTestTenant();
    expect((await whoami(bearer(await notifyToken(c.keys.team)))).status).toBe(200);
    expect((await whoami({ "x-api-key": c.keys.team })).status).toBe(200);
    await asAdmin("DELETE", `/api/v1/tenants/${c.id}/api-keys/${c.keyIds.team}`);
    await expectRefused(await whoami({ "x-api-key": c.keys.team }), 403, /API key revoked/);
    await expectRefused(await whoami(bearer(await notifyToken(c.keys.team))), 403, /API key revoked/);
    expect((await whoami(bearer(await notifyToken(c.keys.live)))).status).toBe(200);
  });

  it("verifies req and pay claims when present", async () => {
    const good = await notifyToken(a.keys.live, { req: "GET /api/v1/tenant" });
    expect((await whoami(bearer(good))).status).toBe(200);
    const wrongReq = await notifyToken(a.keys.live, { req: "POST /api/v1/notifysimple" });
    await expectRefused(await whoami(bearer(wrongReq)), 403, /req claim does not match/);

    // GET has an empty body: SHA-256("")
    const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    expect((await whoami(bearer(await notifyToken(a.keys.live, { pay: emptyHash })))).status).toBe(200);
    const wrongPay = await notifyToken(a.keys.live, { pay: "00".repeat(32) });
    await expectRefused(await whoami(bearer(wrongPay)), 403, /pay claim does not match/);
  });

  it("takes req and pay signed with the key, as the early Notify API describes them (HMAC-SHA256, base64 or hex)", async () => {
    const mac = async (data: string) => {
      const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(a.keys.live.slice(-36)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
    };
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect((await whoami(bearer(await notifyToken(a.keys.live, { req: b64(await mac("GET /api/v1/tenant")) })))).status).toBe(200);
    expect((await whoami(bearer(await notifyToken(a.keys.live, { req: hex(await mac("GET /api/v1/tenant")), pay: b64(await mac("")) })))).status).toBe(200);
    // Signed for another request, or with another key: refused.
    await expectRefused(await whoami(bearer(await notifyToken(a.keys.live, { req: b64(await mac("GET /api/v1/templates")) }))), 403, /req claim does not match/);
    await expectRefused(await whoami(bearer(await notifyToken(a.keys.live, { pay: b64(await mac("{}")) }))), 403, /pay claim does not match/);
  });
});
