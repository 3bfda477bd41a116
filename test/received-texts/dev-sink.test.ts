import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { callWith } from "../receipts/helpers";
import { dramaNumber, inboundEnv, inboundSender, storedTexts } from "./helpers";

const devEnv = inboundEnv({ DEV_SINK: "true" });
let tenant: TestTenant;
let number: string;

beforeAll(async () => {
  tenant = await createTestTenant("Dev inbound");
  number = dramaNumber();
  await inboundSender(tenant, number);
});

const simulate = (body: unknown, e = devEnv) => callWith(e, "/dev/sink/twilio/inbound", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("POST /dev/sink/twilio/inbound", () => {
  it("goes through the real, signed Twilio hook: stored for the tenant, listed by the API and shown in the dev inbox", async () => {
    const from = dramaNumber();
    const res = await simulate({ from, to: number, body: "Hello from the sink <b>" });
    expect(res.status).toBe(201);
    const answer = await json(res);
    expect(answer).toEqual({ stored: true, id: expect.any(String), tenantId: tenant.id, messageSid: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect((await storedTexts(answer.messageSid))[0]).toMatchObject({ id: answer.id, provider: "twilio", user_number: from, content: "Hello from the sink <b>" });

    const listed = await json(await asTenant(tenant, "GET", "/api/v1/tenant/received-texts"));
    expect(listed.items[0]).toMatchObject({ id: answer.id, content: "Hello from the sink <b>" });

    const inbox = await callWith(devEnv, "/dev/inbox", { method: "GET" });
    const page = await inbox.text();
    expect(page).toContain("Received texts");
    expect(page).toContain("Hello from the sink &lt;b&gt;");
    expect(page).toContain(from);
  });

  it("STOP through the sink suppresses the number for the tenant", async () => {
    const from = dramaNumber();
    expect((await simulate({ from, to: number, body: "STOP" })).status).toBe(201);
    const list = await json(await asTenant(tenant, "GET", `/api/v1/suppressions?channel=sms&recipient=${encodeURIComponent(from)}`));
    expect(list.items).toEqual([expect.objectContaining({ recipient: from, reason: "opt-out" })]);
  });

  it("a number no tenant receives on is a 422 naming `to`; a bad body a 400", async () => {
    const res = await simulate({ from: dramaNumber(), to: "+17787000003", body: "hi" });
    expect(res.status).toBe(422);
    expect((await json(res)).errors[0].path).toBe("to");
    expect((await simulate({ from: "x", to: number })).status).toBe(400);
  });

  it("does not exist without DEV_SINK", async () => {
    expect((await simulate({ from: dramaNumber(), to: number, body: "hi" }, inboundEnv())).status).toBe(404);
  });
});
