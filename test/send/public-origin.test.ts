import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant("Public origin");
});

/** Calls the Worker as a request to `hostile.example` would reach it, with PUBLIC_ORIGIN set or not. */
async function callAs(path: string, publicOrigin: string | undefined, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`http://hostile.example${path}`, init);
  const res = await worker.fetch(request, { ...env, PUBLIC_ORIGIN: publicOrigin }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const send = (publicOrigin: string | undefined) =>
  callAs("/api/v1/notifysimple/email", publicOrigin, {
    method: "POST",
    headers: { "x-api-key": tenant.keys.test, "content-type": "application/json" },
    body: JSON.stringify({ recipients: { to: ["ann@example.com"] }, content: { subject: "Hi", body: "Hello" } }),
  });

describe("absolute URLs use PUBLIC_ORIGIN, not the Host header", () => {
  it("statusUrl and Location name the configured origin", async () => {
    const res = await send("https://notify.example.gov");
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt.statusUrl).toBe(`https://notify.example.gov/api/v1/notify/${receipt.notifyId}`);
    expect(res.headers.get("location")).toBe(receipt.statusUrl);
  });

  it("the OpenAPI document's server is the configured origin", async () => {
    const doc = await json(await callAs("/openapi.json", "https://notify.example.gov"));
    expect(doc.servers).toEqual([{ url: "https://notify.example.gov" }]);
  });

  it("without PUBLIC_ORIGIN (local development) the request's origin is used", async () => {
    const receipt = await json(await send(undefined));
    expect(receipt.statusUrl).toMatch(/^http:\/\/hostile\.example\/api\/v1\/notify\//);
  });
});
