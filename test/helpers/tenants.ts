import { asAdmin, call, json, type CallOptions } from "./http";

export interface TestTenant {
  id: string;
  name: string;
  keys: { live: string; team: string; test: string };
  keyIds: { live: string; team: string; test: string };
}

/**
 * Creates a tenant with one key of each type through the operator API. Tenants are `live` unless
 * `extra` says `status: "trial"`: trial tenants may only send to their guest list, and most tests
 * send to made-up recipients.
 */
export async function createTestTenant(name = `Tenant ${crypto.randomUUID().slice(0, 8)}`, extra: Record<string, unknown> = {}): Promise<TestTenant> {
  const res = await asAdmin("POST", "/api/v1/tenants", { body: { name, status: "live", ...extra } });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${await res.text()}`);
  const tenant = await json<{ id: string; name: string }>(res);
  const keys = {} as TestTenant["keys"];
  const keyIds = {} as TestTenant["keyIds"];
  for (const type of ["live", "team", "test"] as const) {
    const k = await json<{ id: string; key: string }>(
      await asAdmin("POST", `/api/v1/tenants/${tenant.id}/api-keys`, { body: { name: `${type} key`, type } }),
    );
    keys[type] = k.key;
    keyIds[type] = k.id;
  }
  return { id: tenant.id, name: tenant.name, keys, keyIds };
}

/** Calls a tenant route with `X-API-Key` (the live key unless another is given). */
export function asTenant(tenant: TestTenant, method: string, path: string, options: CallOptions & { key?: string } = {}) {
  return call(method, path, { ...options, headers: { "x-api-key": options.key ?? tenant.keys.live, ...options.headers } });
}
