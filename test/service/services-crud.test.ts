import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// CRUD of /api/v1/service/subscriptions and /api/v1/service/attachments: validation, the
// outbound-URL policy at save time, the auth header secret, names, isolation, cursors.

let tenant: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  tenant = await createTestTenant("Services CRUD");
  other = await createTestTenant("Services CRUD other");
});

const SUB = "/api/v1/service/subscriptions";
const ATT = "/api/v1/service/attachments";

const subscription = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  url: "https://subs.example.gov/recipients",
  authHeader: { name: "Authorization", value: "Bearer top-secret-token" },
  requestMapping: { applicantId: "{{applicationId}}" },
  responseMapping: { email: "recipients[].email", sms: "recipients[].phone" },
  ...extra,
});

describe("create and read", () => {
  it("creates a subscription service and never answers the auth header's value", async () => {
    const res = await asTenant(tenant, "POST", SUB, { body: subscription("applicants") });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(res.headers.get("location")).toBe(`${SUB}/${created.id}`);
    expect(created).toMatchObject({
      kind: "subscription",
      name: "applicants",
      url: "https://subs.example.gov/recipients",
      authHeader: { name: "Authorization", set: true },
      timeoutMs: 5000,
      requestMapping: { applicantId: "{{applicationId}}" },
      responseMapping: { email: "recipients[].email", sms: "recipients[].phone" },
    });
    const texts = [JSON.stringify(created), await (await asTenant(tenant, "GET", `${SUB}/${created.id}`)).text(), await (await asTenant(tenant, "GET", SUB)).text()];
    for (const text of texts) expect(text).not.toContain("top-secret-token");
    const row = await env.DB.prepare("SELECT auth_header_ciphertext AS c FROM tenant_services WHERE id = ?").bind(created.id).first<{ c: string }>();
    expect(row!.c).toMatch(/^v1\./);
    expect(row!.c).not.toContain("top-secret");
  });

  it("creates an attachment service with a default filename", async () => {
    const res = await asTenant(tenant, "POST", ATT, { body: { name: "letter", url: "https://docs.example.gov/render", filename: "letter.pdf", timeoutMs: 8000 } });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ kind: "attachment", name: "letter", authHeader: null, timeoutMs: 8000, requestMapping: null, filename: "letter.pdf" });
  });

  it("409 for a duplicate name of the same kind; the same name of the other kind is fine", async () => {
    expect((await asTenant(tenant, "POST", SUB, { body: subscription("dup") })).status).toBe(201);
    const res = await asTenant(tenant, "POST", SUB, { body: subscription("dup") });
    expect(res.status).toBe(409);
    expect((await json(res)).errors).toEqual([{ path: "name", message: "Already used by another subscription service" }]);
    expect((await asTenant(tenant, "POST", ATT, { body: { name: "dup", url: "https://docs.example.gov/x" } })).status).toBe(201);
    // Another tenant may use the name too.
    expect((await asTenant(other, "POST", SUB, { body: subscription("dup") })).status).toBe(201);
  });

  it("lists newest first with a keyset cursor", async () => {
    const t = await createTestTenant("Services list");
    for (const n of ["a1", "a2", "a3"]) expect((await asTenant(t, "POST", ATT, { body: { name: n, url: "https://docs.example.gov/x" } })).status).toBe(201);
    const first = await json(await asTenant(t, "GET", `${ATT}?limit=2`));
    expect(first.items.map((i: { name: string }) => i.name)).toEqual(["a3", "a2"]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await json(await asTenant(t, "GET", `${ATT}?limit=2&cursor=${first.nextCursor}`));
    expect(second).toMatchObject({ items: [{ name: "a1" }], nextCursor: null });
    // Kinds are separate lists.
    expect((await json(await asTenant(t, "GET", SUB))).items).toEqual([]);
  });
});

describe("validation", () => {
  const REFUSED: [string, string][] = [
    ["http://subs.example.gov/x", "Must be an https URL"],
    ["https://2130706433/x", "Must not point at a loopback address (127.0.0.1)"],
    ["https://0x7f.1/x", "Must not point at a loopback address (127.0.0.1)"],
    ["https://[::ffff:169.254.169.254]/latest", "Must not point at a cloud metadata address ([::ffff:a9fe:a9fe])"],
    ["https://10.1.2.3/x", "Must not point at a private network address (10.1.2.3)"],
    ["https://metadata.google.internal/x", "Must not point at a cloud metadata host name (metadata.google.internal)"],
    ["https://user:pw@subs.example.gov/x", "Must not contain a user name or password"],
  ];

  it.each(REFUSED)("422 naming url for %s, storing nothing", async (url, message) => {
    for (const [path, body] of [
      [SUB, subscription("refused", { url })],
      [ATT, { name: "refused", url }],
    ] as const) {
      const res = await asTenant(tenant, "POST", path, { body });
      expect(res.status).toBe(422);
      expect((await json(res)).errors).toEqual([{ path: "url", message }]);
    }
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM tenant_services WHERE tenant_id = ? AND name = 'refused'").bind(tenant.id).first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it("400 for shapes: bad name, timeout over 10 s, header with a line break, unknown field; 422 for broken paths and templates", async () => {
    const bad = await asTenant(tenant, "POST", SUB, {
      body: subscription("has space", { timeoutMs: 20_000, authHeader: { name: "X-Key", value: "a\r\nb" }, extra: 1 }),
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors.map((e: { path: string }) => e.path).sort()).toEqual(["authHeader.value", "extra", "name", "timeoutMs"]);

    const res = await asTenant(tenant, "POST", SUB, {
      body: subscription("broken", { requestMapping: { a: "{{#open}}" }, responseMapping: { email: "recipients..email", sms: "a.[].b" } }),
    });
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: { path: string }) => e.path)).toEqual(["requestMapping.a", "responseMapping.email", "responseMapping.sms"]);
  });

  it("a subscription service needs a responseMapping; an attachment service has none", async () => {
    const { responseMapping: _, ...noMapping } = subscription("nomap");
    expect((await asTenant(tenant, "POST", SUB, { body: noMapping })).status).toBe(400);
    const res = await asTenant(tenant, "POST", ATT, { body: { name: "x", url: "https://docs.example.gov/x", responseMapping: { email: "a" } } });
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([{ path: "responseMapping", message: "Unknown field" }]);
  });

  it("reserved header names are refused", async () => {
    for (const name of ["Host", "Accept-Encoding", "X-Forwarded-For", "CF-Connecting-IP", "Forwarded", "Sec-Fetch-Site", "Proxy-Authorization"]) {
      const res = await asTenant(tenant, "POST", ATT, { body: { name: "h", url: "https://docs.example.gov/x", authHeader: { name, value: "x" } } });
      expect(res.status, name).toBe(400);
      expect((await json(res)).errors).toEqual([{ path: "authHeader.name", message: "This header is set by the call itself or by the network" }]);
    }
  });
});

describe("update and delete", () => {
  it("PATCH replaces given fields, null clears, the URL is checked again, {} is a 400", async () => {
    const created = await json(await asTenant(tenant, "POST", SUB, { body: subscription("patchme") }));
    const at = `${SUB}/${created.id}`;
    expect((await asTenant(tenant, "PATCH", at, { body: {} })).status).toBe(400);
    const refused = await asTenant(tenant, "PATCH", at, { body: { url: "https://192.168.0.1/x" } });
    expect(refused.status).toBe(422);
    expect((await json(refused)).errors).toEqual([{ path: "url", message: "Must not point at a private network address (192.168.0.1)" }]);

    const res = await asTenant(tenant, "PATCH", at, { body: { authHeader: null, timeoutMs: 2500, requestMapping: ["applicationId"] } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ name: "patchme", url: "https://subs.example.gov/recipients", authHeader: null, timeoutMs: 2500, requestMapping: ["applicationId"] });
    const row = await env.DB.prepare("SELECT auth_header_ciphertext AS c FROM tenant_services WHERE id = ?").bind(created.id).first<{ c: string | null }>();
    expect(row!.c).toBeNull();

    const renamed = await asTenant(tenant, "PATCH", at, { body: { name: "applicants" } });
    expect(renamed.status).toBe(409);
  });

  it("another tenant's service is a 404 for every verb, and deleting it leaves it", async () => {
    const created = await json(await asTenant(tenant, "POST", ATT, { body: { name: "mine", url: "https://docs.example.gov/x" } }));
    const at = `${ATT}/${created.id}`;
    expect((await asTenant(other, "GET", at)).status).toBe(404);
    expect((await asTenant(other, "PATCH", at, { body: { name: "theirs" } })).status).toBe(404);
    expect((await asTenant(other, "DELETE", at)).status).toBe(404);
    // The other kind's path does not reach it either.
    expect((await asTenant(tenant, "GET", `${SUB}/${created.id}`)).status).toBe(404);
    expect((await asTenant(tenant, "GET", at)).status).toBe(200);
    expect((await asTenant(tenant, "DELETE", at)).status).toBe(204);
    expect((await asTenant(tenant, "GET", at)).status).toBe(404);
  });

  it("reads need read, writes need manage", async () => {
    // Test keys have send and read only.
    expect((await asTenant(tenant, "GET", SUB, { key: tenant.keys.test })).status).toBe(200);
    const res = await asTenant(tenant, "POST", SUB, { key: tenant.keys.test, body: subscription("nope") });
    expect(res.status).toBe(403);
  });
});

describe("concurrent PATCHes of a service", () => {
  it("lose nothing: a timeout change and an auth header rotation at once both stay", async () => {
    const t = await createTestTenant("Service races");
    const created = await json(
      await asTenant(t, "POST", "/api/v1/service/subscriptions", {
        body: { name: "racy", url: "https://svc.example.com/x", authHeader: { name: "Authorization", value: "Bearer ROT-0" }, responseMapping: { email: "recipients[].email" } },
      }),
    );
    let previous = "";
    for (let round = 1; round <= 8; round++) {
      const answers = await Promise.all([
        asTenant(t, "PATCH", `/api/v1/service/subscriptions/${created.id}`, { body: { timeoutMs: 1000 + round } }),
        asTenant(t, "PATCH", `/api/v1/service/subscriptions/${created.id}`, { body: { authHeader: { name: "X-Key", value: `ROT-${round}` } } }),
        asTenant(t, "PATCH", `/api/v1/service/subscriptions/${created.id}`, { body: { requestMapping: [`p${round}`] } }),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      const view = await json(await asTenant(t, "GET", `/api/v1/service/subscriptions/${created.id}`));
      expect(view).toMatchObject({ timeoutMs: 1000 + round, authHeader: { name: "X-Key", set: true }, requestMapping: [`p${round}`] });
      // The rotated secret itself was written this round, not reverted by a concurrent patch.
      const row = await env.DB.prepare("SELECT auth_header_ciphertext AS c FROM tenant_services WHERE id = ?").bind(created.id).first<{ c: string }>();
      expect(row!.c).not.toBe(previous);
      previous = row!.c;
    }
  });
});
