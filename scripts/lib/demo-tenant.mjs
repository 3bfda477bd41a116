import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Makes sure the local demo tenant exists with a working live and test key, through the operator
 * API (so keys are created exactly as in production). What was created is remembered in
 * `statePath`; on restart the saved keys are checked and only what no longer works is replaced.
 * With the local sink on (and OUTBOUND_ALLOW_LOOPBACK, without which the outbound-URL policy
 * refuses a loopback target), the tenant gets a "demo-slack" chat target pointing at it.
 */
export async function ensureDemoTenant({ baseUrl, adminToken, statePath, slackSinkUrl }) {
  const admin = async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok && res.status !== 404) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.status === 404 ? null : res.json();
  };
  const keyWorks = async (key, type) => {
    if (!key) return false;
    const res = await fetch(`${baseUrl}/api/v1/tenant`, { headers: { "x-api-key": key } });
    if (!res.ok) return false;
    const who = await res.json();
    return who.key.type === type;
  };

  const saved = existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
  let tenantId = saved.tenantId;
  if (!tenantId || !(await admin("GET", `/api/v1/tenants/${tenantId}`))) {
    const tenant = await admin("POST", "/api/v1/tenants", { name: "Demo tenant", status: "live" });
    tenantId = tenant.id;
    saved.liveKey = undefined;
    saved.testKey = undefined;
  }
  const next = { tenantId, liveKey: saved.liveKey, testKey: saved.testKey };
  if (!(await keyWorks(next.liveKey, "live"))) {
    next.liveKey = (await admin("POST", `/api/v1/tenants/${tenantId}/api-keys`, { name: "demo live", type: "live" })).key;
  }
  if (!(await keyWorks(next.testKey, "test"))) {
    next.testKey = (await admin("POST", `/api/v1/tenants/${tenantId}/api-keys`, { name: "demo test", type: "test" })).key;
  }
  if (slackSinkUrl) {
    // The sink's URL carries the port, so the demo's Slack target is refreshed on every start.
    await admin("PATCH", `/api/v1/tenants/${tenantId}`, {
      settings: { msgApp: { targets: { "demo-slack": { type: "slack", url: slackSinkUrl } } } },
    });
  }
  writeFileSync(statePath, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  return next;
}
