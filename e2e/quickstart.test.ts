import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";

const service = inject("service");

/** What the GOV.UK Notify clients do: `{iss, iat}` HS256 with the key's last 36 characters. */
function notifyClientToken(apiKey: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const header = b64({ typ: "JWT", alg: "HS256" });
  const payload = b64({ iss: apiKey.slice(-73, -37), iat: Math.round(Date.now() / 1000) });
  const signature = createHmac("sha256", apiKey.slice(-36)).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

describe("npm start on a fresh state", () => {
  it("prints where it listens and how to call it", () => {
    expect(service.output).toContain(`Edge Notify is running at ${service.baseUrl}`);
    expect(service.output).toContain(`curl -s ${service.baseUrl}/api/v1/tenant -H 'X-API-Key: ${service.liveKey}'`);
    expect(service.liveKey.slice(-73, -37)).toBe(service.tenantId);
  });

  it("created .dev.vars with an admin token that the operator API accepts", async () => {
    const devVars = readFileSync(join(service.stateDir, "..", ".dev.vars"), "utf8");
    expect(devVars).toContain(`ADMIN_TOKEN=${service.adminToken}`);
    const res = await fetch(`${service.baseUrl}/api/v1/tenants/${service.tenantId}`, {
      headers: { authorization: `Bearer ${service.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: service.tenantId, name: "Demo tenant", status: "live" });
  });

  it("accepts a Notify-client token for the demo live key, and the test key by X-API-Key", async () => {
    const jwt = await fetch(`${service.baseUrl}/api/v1/tenant`, {
      headers: { authorization: `Bearer ${notifyClientToken(service.liveKey)}` },
    });
    expect(jwt.status).toBe(200);
    expect(await jwt.json()).toMatchObject({ tenant: { id: service.tenantId }, key: { type: "live" }, authMethod: "jwt" });

    const key = await fetch(`${service.baseUrl}/api/v1/tenant`, { headers: { "x-api-key": service.testKey } });
    expect(((await key.json()) as any).key.type).toBe("test");
  });
});
