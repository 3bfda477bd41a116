import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type Db } from "../../src/db/client";
import { createSession, SESSION_COOKIE } from "../../src/services/admin-identity";
import { authenticate, type AuthRequest } from "../../src/services/auth/authenticate";
import { forgetKeyUses, KEY_USE_GRANULARITY_MS, recordKeyUse } from "../../src/services/auth/key-use";
import { getPage, signInAsOperator } from "../admin/helpers";
import { asAdmin, call, json, notifyToken } from "../helpers/http";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

const db: Db = createDb(env.DB);
const HOUR = KEY_USE_GRANULARITY_MS;
const MINUTE = 60 * 1000;

const lastUsedOf = async (keyId: string) =>
  (await env.DB.prepare("SELECT last_used_at AS at FROM api_keys WHERE id = ?").bind(keyId).first<{ at: number | null }>())?.at ?? null;

const request = (credentials: Pick<AuthRequest, "apiKey" | "authorization">): AuthRequest => ({ method: "GET", path: "/api/v1/tenant", search: "", rawBody: async () => "", ...credentials });

/**
 * Authenticates as the middleware does, at `nowMs`, and answers what was deferred: each entry is
 * one recordKeyUse, resolved to whether it changed the row.
 */
async function authenticateAt(credentials: Pick<AuthRequest, "apiKey" | "authorization">, nowMs: number): Promise<boolean[]> {
  const deferred: Promise<unknown>[] = [];
  await authenticate(request(credentials), { db, encryptionKey: env.API_KEY_ENCRYPTION_KEY, defer: (work) => deferred.push(work), nowMs });
  return (await Promise.all(deferred)) as boolean[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an API key's last use", () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await createTestTenant("Last used");
  });

  it("is written once per hour per key: a second use within the hour writes nothing, one after it writes again", async () => {
    const start = Date.now();
    expect(await lastUsedOf(t.keyIds.live)).toBeNull();
    expect(await authenticateAt({ apiKey: t.keys.live }, start)).toEqual([true]);
    expect(await lastUsedOf(t.keyIds.live)).toBe(start);

    // Within the hour: not even attempted (this isolate remembers), so a hot key costs no D1 write.
    expect(await authenticateAt({ apiKey: t.keys.live }, start + 10 * MINUTE)).toEqual([]);
    expect(await authenticateAt({ apiKey: t.keys.live }, start + HOUR)).toEqual([]);
    expect(await lastUsedOf(t.keyIds.live)).toBe(start);

    expect(await authenticateAt({ apiKey: t.keys.live }, start + HOUR + 1)).toEqual([true]);
    expect(await lastUsedOf(t.keyIds.live)).toBe(start + HOUR + 1);
  });

  it("is written once by isolates that each think it due: the UPDATE is guarded by the column", async () => {
    const start = Date.now();
    const key = { id: t.keyIds.team, lastUsedAt: null };
    expect(await recordKeyUse(db, key, start)).toBe(true);
    // Another isolate: nothing remembered, and it read the row before the first write.
    forgetKeyUses();
    expect(await recordKeyUse(db, key, start + 30 * MINUTE)).toBe(false);
    expect(await lastUsedOf(t.keyIds.team)).toBe(start);
    forgetKeyUses();
    expect(await recordKeyUse(db, key, start + HOUR + MINUTE)).toBe(true);
    expect(await lastUsedOf(t.keyIds.team)).toBe(start + HOUR + MINUTE);
  });

  it("counts a key that signs a JWT too", async () => {
    const other = await createTestTenant("Last used JWT");
    const start = Date.now();
    expect(await authenticateAt({ authorization: `Bearer ${await notifyToken(other.keys.test)}` }, start)).toEqual([true]);
    expect(await lastUsedOf(other.keyIds.test)).toBe(start);
    expect(await authenticateAt({ authorization: `Bearer ${await notifyToken(other.keys.test)}` }, start + MINUTE)).toEqual([]);
    expect(await lastUsedOf(other.keyIds.live)).toBeNull();
  });

  it("is not written for a revoked key or a credential that is refused", async () => {
    const other = await createTestTenant("Last used revoked");
    expect((await asAdmin("DELETE", `/api/v1/tenants/${other.id}/api-keys/${other.keyIds.test}`)).status).toBe(204);
    const deferred: Promise<unknown>[] = [];
    const deps = { db, encryptionKey: env.API_KEY_ENCRYPTION_KEY, defer: (work: Promise<unknown>) => deferred.push(work) };
    await expect(authenticate(request({ apiKey: other.keys.test }), deps)).rejects.toThrow(/revoked/);
    await expect(authenticate(request({ authorization: `Bearer ${await notifyToken(other.keys.test)}` }), deps)).rejects.toThrow(/revoked/);
    const wrongSecret = `${other.keys.live.slice(0, -36)}${crypto.randomUUID()}`;
    await expect(authenticate(request({ apiKey: wrongSecret }), deps)).rejects.toThrow(/not found/);
    const forged = await notifyToken(`${other.keys.live.slice(0, -36)}${crypto.randomUUID()}`);
    await expect(authenticate(request({ authorization: `Bearer ${forged}` }), deps)).rejects.toThrow(/signature/);
    expect(deferred).toEqual([]);

    // Through the Worker as well: the refused requests leave every key of the tenant unused.
    expect((await call("GET", "/api/v1/tenant", { headers: { "x-api-key": other.keys.test } })).status).toBe(403);
    expect((await call("GET", "/api/v1/tenant", { headers: { "x-api-key": wrongSecret } })).status).toBe(403);
    await sleep(100);
    for (const id of Object.values(other.keyIds)) expect(await lastUsedOf(id)).toBeNull();
  });

  it("never fails the request: a failed write is logged and answers false", async () => {
    const failing = {
      update: () => {
        throw new Error("D1 is down");
      },
    } as unknown as Db;
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await recordKeyUse(failing, { id: crypto.randomUUID(), lastUsedAt: null }, Date.now())).toBe(false);
      expect(errors).toHaveBeenCalledWith(expect.stringContaining("recording an API key's last use failed"));
    } finally {
      errors.mockRestore();
    }
  });

  it("is recorded off the request's path by the Worker, once within the hour, and listed by the operator API", async () => {
    const other = await createTestTenant("Last used list");
    const list = async () => (await json<{ items: { id: string; lastUsedAt: string | null }[] }>(await asAdmin("GET", `/api/v1/tenants/${other.id}/api-keys`))).items;
    expect((await list()).map((k) => k.lastUsedAt)).toEqual([null, null, null]);

    expect((await call("GET", "/api/v1/tenant", { headers: { "x-api-key": other.keys.live } })).status).toBe(200);
    await vi.waitFor(async () => expect(await lastUsedOf(other.keyIds.live)).not.toBeNull(), { timeout: 2000, interval: 20 });
    const first = await lastUsedOf(other.keyIds.live);
    await sleep(5);
    expect((await call("GET", "/api/v1/tenant", { headers: { "x-api-key": other.keys.live } })).status).toBe(200);
    await sleep(100);
    expect(await lastUsedOf(other.keyIds.live)).toBe(first);

    const keys = await list();
    expect(keys.find((k) => k.id === other.keyIds.live)?.lastUsedAt).toBe(new Date(first!).toISOString());
    expect(keys.filter((k) => k.id !== other.keyIds.live).map((k) => k.lastUsedAt)).toEqual([null, null]);
  });

  it("is in the OpenAPI document as a nullable date-time of ApiKey", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    const prop = doc.components.schemas.ApiKey.properties.lastUsedAt;
    expect(JSON.stringify(prop)).toContain("date-time");
    expect(JSON.stringify(prop)).toContain("null");
  });

  it("shows on Settings → API keys and the operator's tenant page: Never, then the time", async () => {
    const other = await createTestTenant("Last used admin");
    const { id } = await createSession({ db, now: new Date() }, { kind: "user", role: "manage", userId: null, tenantId: other.id });
    const cookie = `${SESSION_COOKIE}=${id}`;
    const operator = await signInAsOperator();
    const rowOf = (html: string, name: string) => {
      const row = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((r) => r.includes(`<td>${name}</td>`));
      expect(row, name).toBeDefined();
      return row!;
    };
    const pages = async () => [await (await getPage("/admin/settings/api-keys", cookie)).text(), await (await getPage(`/admin/tenants/${other.id}`, operator)).text()];

    for (const html of await pages()) {
      expect(html).toContain('<th scope="col">Last used</th>');
      expect(rowOf(html, "live key")).toContain("<td>Never</td>");
    }

    expect((await call("GET", "/api/v1/tenant", { headers: { "x-api-key": other.keys.live } })).status).toBe(200);
    await vi.waitFor(async () => expect(await lastUsedOf(other.keyIds.live)).not.toBeNull(), { timeout: 2000, interval: 20 });
    const iso = new Date((await lastUsedOf(other.keyIds.live))!).toISOString();
    const shown = `<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>`;
    for (const html of await pages()) {
      expect(rowOf(html, "live key")).toContain(`<td>${shown}</td>`);
      expect(rowOf(html, "test key")).toContain("<td>Never</td>");
    }
    // The revoke confirmation says it too, so whoever revokes sees whether the key is in use.
    const confirm = await (await getPage(`/admin/settings/api-keys/${other.keyIds.live}/revoke`, cookie)).text();
    expect(confirm).toContain(shown);
  });
});
