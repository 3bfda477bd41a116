import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { call, json } from "../helpers/http";
import { createReceiver, type Received } from "../callbacks/receiver";
import { dramaNumber, inboundSender, storedTexts, twilioInbound, twilioSid, vonageInbound, vonageSms } from "./helpers";

// Callbacks travel through the suite's real notify-events queue.
vi.setConfig({ testTimeout: 30_000 });

const mocks = createProviderMocks();
const receiver = createReceiver(mocks.server);
beforeAll(() => mocks.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mocks.server.close());

const BEARER = "Bearer notify-style-token-1234";

let tenant: TestTenant;
let other: TestTenant;
let number: string;
let otherNumber: string;
/** The tenant's received-text registration. */
let url: string;
let secret: string;
/** The same tenant's registration for SMS statuses only: no received texts. */
let statusUrl: string;
/** The other tenant's received-text registration. */
let otherUrl: string;

async function register(t: TestTenant, body: Record<string, unknown>) {
  const res = await asTenant(t, "POST", "/api/v1/notify/registerCallback", { body });
  expect(res.status).toBe(201);
  return json(res);
}

beforeAll(async () => {
  tenant = await createTestTenant("Received text callbacks");
  other = await createTestTenant("Received text callbacks, other");
  number = dramaNumber();
  otherNumber = dramaNumber();
  await inboundSender(tenant, number);
  await inboundSender(other, otherNumber);
  url = receiver.url();
  const created = await register(tenant, { url, channelType: "received-text", trigger: [], headers: { Authorization: BEARER } });
  expect(created.channelType).toEqual(["received-text"]);
  secret = created.secret;
  statusUrl = receiver.url();
  await register(tenant, { url: statusUrl, channelType: ["sms"], trigger: ["success", "failure"] });
  otherUrl = receiver.url();
  await register(other, { url: otherUrl, channelType: ["received-text"], trigger: [] });
});

/** The callbacks at `url` whose body is the received text `id`. */
const about = (at: string, id: string): Received[] => receiver.at(at).filter((r) => r.json.id === id);

async function waitForText(at: string, id: string, timeoutMs = 15_000): Promise<Received> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = about(at, id);
    if (got.length > 0) return got[0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no callback for received text ${id} at ${at}`);
}

describe("received text callbacks (channelType received-text)", () => {
  it("an inbound Twilio text is POSTed once with GOV.UK Notify's fields, the bearer token and a Standard Webhooks signature", async () => {
    const from = dramaNumber();
    const { res, sid } = await twilioInbound({ From: from, To: number, Body: "Hello, is it me you're looking for?" });
    expect(res.status).toBe(200);
    const [row] = await storedTexts(sid);
    const id = row!.id as string;
    const got = await waitForText(url, id);
    expect(`https://receiver.example.com${got.path}`).toBe(url);
    expect(got.json).toEqual({
      id,
      source_number: from,
      destination_number: number,
      message: "Hello, is it me you're looking for?",
      date_received: new Date(row!.created_at as number).toISOString().replace(/Z$/, "000Z"),
    });
    expect(Object.keys(got.json)).toEqual(["id", "source_number", "destination_number", "message", "date_received"]);
    expect(got.headers.authorization).toBe(BEARER);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["webhook-id"]).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(new Webhook(secret).verify(got.body, got.headers)).toEqual(got.json);
  });

  it("a STOP text is reported too (the tenant hears of the opt-out), besides suppressing the number", async () => {
    const { sid } = await twilioInbound({ From: dramaNumber(), To: number, Body: "STOP" });
    const id = (await storedTexts(sid))[0]!.id as string;
    expect((await waitForText(url, id)).json.message).toBe("STOP");
  });

  it("a redelivered inbound webhook (same MessageSid) sends nothing the second time; no other registration gets it", async () => {
    const sid = twilioSid();
    await twilioInbound({ From: dramaNumber(), To: number, Body: "once", MessageSid: sid });
    const id = (await storedTexts(sid))[0]!.id as string;
    await waitForText(url, id);
    const again = await twilioInbound({ From: dramaNumber(), To: number, Body: "once", MessageSid: sid });
    expect(again.res.status).toBe(200);
    // A later text to the other tenant is delivered after anything the repeat could have queued.
    const { sid: later } = await twilioInbound({ From: dramaNumber(), To: otherNumber, Body: "theirs" });
    const laterId = (await storedTexts(later))[0]!.id as string;
    await waitForText(otherUrl, laterId);
    await new Promise((r) => setTimeout(r, 500));
    expect(about(url, id)).toHaveLength(1);
    // The other tenant's registration never gets this tenant's texts, nor this tenant's status-only one.
    expect(receiver.at(otherUrl).filter((r) => r.json.destination_number !== otherNumber)).toEqual([]);
    expect(receiver.at(statusUrl)).toEqual([]);
    expect(about(url, laterId)).toEqual([]);
  });

  it("a Vonage inbound text is reported the same way (numbers in E.164 though Vonage leaves off the +)", async () => {
    const from = dramaNumber();
    const uuid = crypto.randomUUID();
    expect((await vonageInbound(vonageSms(from.slice(1), number.slice(1), "Hi from Vonage", uuid))).status).toBe(200);
    const id = (await storedTexts(uuid))[0]!.id as string;
    expect((await waitForText(url, id)).json).toMatchObject({ id, source_number: from, destination_number: number, message: "Hi from Vonage" });
  });

  it("a registration with message channels still needs a trigger or status; received-text alone does not", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url: receiver.url(), channelType: ["sms", "received-text"], trigger: [] } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([expect.objectContaining({ path: "trigger" })]);
  });

  it("the OpenAPI document lists received-text among the channel types", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    const schema = JSON.stringify(doc.components.schemas.CallbackRegistrationRequest);
    expect(schema).toContain('"received-text"');
    expect(JSON.stringify(doc.components.schemas.CallbackRegistrationResponse)).toContain('"received-text"');
  });
});
