import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// README "Status callbacks": headers that claim where the request came from are refused,
// naming `X-Forwarded-*` (every X-Forwarded- header), with the field at fault.
const PATH = "/api/v1/notify/registerCallback";
let tenant: TestTenant;

beforeAll(async () => {
  tenant = await createTestTenant("forwarded headers");
});

describe("registerCallback refuses every X-Forwarded-* header", () => {
  it.each(["X-Forwarded-Port", "X-Forwarded-Server", "X-Forwarded-Prefix", "X-Forwarded-Ssl"])("refuses %s (400 at headers.<name>)", async (name) => {
    const res = await asTenant(tenant, "POST", PATH, {
      body: { url: "https://receiver.example.com/hook", headers: { [name]: "1" }, channelType: ["email"], trigger: ["success"] },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await json(res)).errors[0].path).toBe(`headers.${name}`);
  });
});
