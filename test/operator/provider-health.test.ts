import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { ADMIN_TOKEN, asAdmin, BASE, call, json } from "../helpers/http";

const policy = { failureThreshold: 3, windowMs: 60_000, cooldownMs: 30_000, probeLeaseMs: 34_000 };

/** The deployment with a circuit object of its own (the suite's is shared), its rules those of `policy`. */
function deployment() {
  const name = crypto.randomUUID();
  const namespace = env.PROVIDER_CIRCUITS;
  const circuits = { idFromName: () => namespace.idFromName(name), get: (id: DurableObjectId) => namespace.get(id) } as unknown as Env["PROVIDER_CIRCUITS"];
  const testEnv = { ...env, CIRCUIT_FAILURE_THRESHOLD: "3", CIRCUIT_WINDOW_SECONDS: "60", CIRCUIT_COOLDOWN_SECONDS: "30", PROVIDER_CIRCUITS: circuits } as Env;
  return { env: testEnv, object: namespace.get(namespace.idFromName(name)) };
}

async function health(testEnv: Env, token = ADMIN_TOKEN): Promise<Response> {
  return worker.fetch(new Request(`${BASE}/api/v1/providers/health`, { headers: { authorization: `Bearer ${token}` } }), testEnv, createExecutionContext());
}

describe("GET /api/v1/providers/health", () => {
  it("needs the operator token", async () => {
    expect((await call("GET", "/api/v1/providers/health")).status).toBe(401);
    const tenantish = await call("GET", "/api/v1/providers/health", { headers: { authorization: "Bearer not-the-admin-token" } });
    expect([401, 403]).toContain(tenantish.status);
    expect((await asAdmin("GET", "/api/v1/providers/health")).status).toBe(200);
  });

  it("shows every configured provider per channel with its circuit", async () => {
    const { env: testEnv, object } = deployment();
    const now = Date.now();
    await object.report([{ name: "ses", ok: 2, failed: 0 }], now - 5_000, policy);
    await object.report([{ name: "postmark", ok: 0, failed: 3 }], now - 40_000, policy);
    await object.report([{ name: "twilio", ok: 0, failed: 4 }], now - 1_000, policy);
    await object.report([{ name: "vonage", ok: 0, failed: 1 }], now - 1_000, policy);
    const res = await health(testEnv);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.policy).toEqual({ failureThreshold: 3, windowSeconds: 60, cooldownSeconds: 30 });
    const email = Object.fromEntries(body.channels.email.map((p: { provider: string }) => [p.provider, p]));
    const sms = Object.fromEntries(body.channels.sms.map((p: { provider: string }) => [p.provider, p]));
    expect(Object.keys(email)).toEqual(["ses", "sendgrid", "postmark", "resend"]);
    expect(Object.keys(sms)).toEqual(["twilio", "vonage"]);
    expect(email.ses).toMatchObject({ systemOrder: 1, state: "closed", failures: 0, successes: 2, openedAt: null, lastSuccessAt: new Date(now - 5_000).toISOString(), lastFailureAt: null });
    expect(email.postmark).toMatchObject({
      systemOrder: null,
      state: "half-open",
      openedAt: new Date(now - 40_000).toISOString(),
      halfOpenAt: new Date(now - 10_000).toISOString(),
      probeInFlight: false,
    });
    expect(email.sendgrid).toMatchObject({ state: "closed", failures: 0, lastSuccessAt: null });
    expect(sms.twilio).toMatchObject({ systemOrder: 1, state: "open", failures: 4, openedAt: new Date(now - 1_000).toISOString(), halfOpenAt: new Date(now + 29_000).toISOString() });
    expect(sms.vonage).toMatchObject({ state: "closed", failures: 1, lastFailureAt: new Date(now - 1_000).toISOString() });
  });

  it("answers 503 when the circuit object cannot be reached", async () => {
    const broken = {
      idFromName: () => {
        throw new Error("down");
      },
    } as unknown as Env["PROVIDER_CIRCUITS"];
    const res = await health({ ...env, PROVIDER_CIRCUITS: broken } as Env);
    expect(res.status).toBe(503);
    expect((await json(res)).title).toContain("cannot be reached");
  });

  it("is in the OpenAPI document as an operator route", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    const op = doc.paths["/api/v1/providers/health"].get;
    expect(op.security).toEqual([{ operatorToken: [] }]);
    expect(op.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/ProvidersHealth");
  });
});
