import { describe, expect, it, beforeAll } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const PATH = "/api/v1/notify/registerCallback";
const RECEIVER = "https://receiver.example.com/notify-status";
let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  tenant = await createTestTenant("Callbacks registration");
  other = await createTestTenant("Callbacks other");
});

const register = (body: unknown, who: TestTenant = tenant, key?: string) => asTenant(who, "POST", PATH, { body, ...(key ? { key } : {}) });

describe("POST /api/v1/notify/registerCallback", () => {
  it("registers, answers the signing secret once, and redacts header values on every read", async () => {
    const res = await register({ url: RECEIVER, headers: { Authorization: "Bearer s3cret" }, channelType: ["email", "sms"], trigger: ["success", "failure"], description: "status feed" });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(res.headers.get("location")).toBe(`${PATH}/${created.callbackId}`);
    expect(created).toMatchObject({ url: RECEIVER, headers: { Authorization: "[redacted]" }, channelType: ["email", "sms"], trigger: ["success", "failure"], statuses: [], active: true, disabledReason: null, description: "status feed" });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(atob(created.secret.slice(6)).length).toBe(32);

    const read = await json(await asTenant(tenant, "GET", `${PATH}/${created.callbackId}`));
    expect(read.secret).toBeUndefined();
    expect(read.headers).toEqual({ Authorization: "[redacted]" });
    const stored = await (await import("cloudflare:workers")).env.DB.prepare("SELECT headers_sealed, secret_sealed FROM callbacks WHERE id = ?").bind(created.callbackId).first<{ headers_sealed: string; secret_sealed: string }>();
    expect(stored!.headers_sealed).not.toContain("s3cret");
    expect(stored!.secret_sealed).not.toContain(created.secret.slice(6, 20));

    const list = await json(await asTenant(tenant, "GET", `${PATH}?limit=1`));
    expect(list.items).toHaveLength(1);
    expect(list.items[0].secret).toBeUndefined();
  });

  it("accepts single values for channelType and trigger, and intermediate statuses", async () => {
    const created = await json(await register({ url: RECEIVER, channelType: "sms", trigger: "failure", statuses: ["sending"] }));
    expect(created).toMatchObject({ channelType: ["sms"], trigger: ["failure"], statuses: ["sending"] });
  });

  it.each([
    ["http://receiver.example.com/x", "url", "https"],
    ["https://10.0.0.5/hook", "url", "private"],
    ["https://169.254.169.254/latest", "url", "metadata"],
    ["https://127.0.0.1/hook", "url", "loopback"],
    ["https://localhost/hook", "url", ""],
  ])("refuses %s through the outbound-URL policy (422 at url)", async (url, path, words) => {
    const res = await register({ url, channelType: ["email"], trigger: ["success"] });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = await json(res);
    expect(problem.errors).toEqual([expect.objectContaining({ path })]);
    expect(problem.errors[0].message.toLowerCase()).toContain(words);
  });

  it("refuses headers the callback sets itself, bad names and values, too many, with the field at fault", async () => {
    for (const name of ["Host", "Content-Length", "webhook-signature", "Webhook-Id", "Transfer-Encoding", "Connection", "X-Forwarded-For", "CF-Connecting-IP"]) {
      const res = await register({ url: RECEIVER, headers: { [name]: "x" }, channelType: ["email"], trigger: ["success"] });
      expect(res.status, name).toBe(400);
      expect((await json(res)).errors[0].path).toBe(`headers.${name}`);
    }
    const injected = await register({ url: RECEIVER, headers: { "X-Token": "a\r\nX-Evil: 1" }, channelType: ["email"], trigger: ["success"] });
    expect((await json(injected)).errors[0].path).toBe("headers.X-Token");
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, "v"]));
    const tooMany = await register({ url: RECEIVER, headers: many, channelType: ["email"], trigger: ["success"] });
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).errors[0].path).toBe("headers");
    const twice = await register({ url: RECEIVER, headers: { "X-A": "1", "x-a": "2" }, channelType: ["email"], trigger: ["success"] });
    expect(twice.status).toBe(400);
  });

  it("refuses unknown channels and triggers, missing fields, and nothing to fire on", async () => {
    const bad = await register({ url: RECEIVER, channelType: ["fax"], trigger: ["success"] });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors[0].path).toMatch(/^channelType/);
    const missing = await register({ url: RECEIVER, trigger: ["success"] });
    expect((await json(missing)).errors[0].path).toBe("channelType");
    const none = await register({ url: RECEIVER, channelType: ["email"], trigger: [] });
    expect(none.status).toBe(422);
    expect((await json(none)).errors[0].path).toBe("trigger");
    const extra = await register({ url: RECEIVER, channelType: ["email"], trigger: ["success"], secret: "mine" });
    expect(extra.status).toBe(400);
  });

  it("needs manage: a test key (send, read) gets 403 naming it", async () => {
    const res = await register({ url: RECEIVER, channelType: ["email"], trigger: ["success"] }, tenant, tenant.keys.test);
    expect(res.status).toBe(403);
    expect((await json(res)).detail).toContain("manage");
  });
});

describe("one registration", () => {
  it("PATCH replaces fields, re-checks the URL, clears headers; DELETE removes it", async () => {
    const { callbackId } = await json(await register({ url: RECEIVER, headers: { "X-Key": "k" }, channelType: ["email"], trigger: ["success"] }));
    const patched = await asTenant(tenant, "PATCH", `${PATH}/${callbackId}`, { body: { trigger: ["failure"], statuses: ["sending"], headers: null, active: false } });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ trigger: ["failure"], statuses: ["sending"], headers: {}, active: false });
    const refused = await asTenant(tenant, "PATCH", `${PATH}/${callbackId}`, { body: { url: "https://192.168.1.1/x" } });
    expect(refused.status).toBe(422);
    expect((await json(refused)).errors[0].path).toBe("url");
    const empty = await asTenant(tenant, "PATCH", `${PATH}/${callbackId}`, { body: {} });
    expect(empty.status).toBe(400);
    expect((await asTenant(tenant, "DELETE", `${PATH}/${callbackId}`)).status).toBe(204);
    expect((await asTenant(tenant, "GET", `${PATH}/${callbackId}`)).status).toBe(404);
  });

  it("another tenant's registration is a 404 on every route", async () => {
    const { callbackId } = await json(await register({ url: RECEIVER, channelType: ["email"], trigger: ["success"] }));
    for (const [method, suffix, body] of [["GET", "", undefined], ["PATCH", "", { active: false }], ["DELETE", "", undefined], ["POST", "/rotateSecret", undefined]] as const) {
      const res = await asTenant(other, method, `${PATH}/${callbackId}${suffix}`, body ? { body } : {});
      expect(res.status, `${method} ${suffix}`).toBe(404);
    }
    expect((await json(await asTenant(other, "GET", PATH))).items).toEqual([]);
    expect((await asTenant(tenant, "GET", `${PATH}/${callbackId}`)).status).toBe(200);
  });

  it("rotateSecret answers a new secret and opens a 24-hour window", async () => {
    const created = await json(await register({ url: RECEIVER, channelType: ["email"], trigger: ["success"] }));
    const res = await asTenant(tenant, "POST", `${PATH}/${created.callbackId}/rotateSecret`);
    expect(res.status).toBe(200);
    const rotated = await json(res);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const window = Date.parse(rotated.previousSecretExpiresAt) - Date.now();
    expect(window).toBeGreaterThan(23.9 * 3_600_000);
    expect(window).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await json(await asTenant(tenant, "GET", `${PATH}/${created.callbackId}`))).previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);
  });
});
