import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto/hash";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { expectProblem, statusesOf, wiredFor } from "./email-hooks";
import { callWith, providerMessageIdOf, sendAndDeliver } from "./helpers";

const SECRET = env.VONAGE_SIGNATURE_SECRET!;
const mocks = createProviderMocks();
let tenant: TestTenant;
const e = wiredFor("vonage");

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Vonage receipts", { status: "live" });
  await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { sms: { provider: "vonage" } } });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

/** A Messages API status webhook as Vonage signs it: HS256 JWT with iat and the body's SHA-256 as payload_hash. */
async function post(status: object, options: { secret?: string; iat?: number; hashOf?: string; unsigned?: boolean } = {}) {
  const body = JSON.stringify(status);
  const token = await new SignJWT({ iat: options.iat ?? Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), iss: "Vonage", payload_hash: await sha256Hex(options.hashOf ?? body), api_key: "test-vonage-key" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (!options.unsigned) headers.authorization = `Bearer ${token}`;
  return callWith(e, "/hooks/vonage", { method: "POST", headers, body });
}

// Vonage's SMS status callback example (https://developer.vonage.com/en/messages/concepts/messages-status-callbacks)
// for our message.
const status = (uuid: string, kind: string, extra: Record<string, unknown> = {}) => ({
  message_uuid: uuid,
  to: "17787001234",
  from: "15005550006",
  timestamp: new Date().toISOString(),
  status: kind,
  usage: { currency: "EUR", price: "0.0333" },
  channel: "sms",
  sms: { count_total: "1" },
  ...extra,
});

async function sentSms() {
  const before = mocks.captured.vonage.length;
  const { notifyId, deliveryIds } = await sendAndDeliver(tenant, "/api/v1/notifysimple/sms", { recipients: { to: ["+17787001234"] }, content: { body: "Hello" } }, e);
  expect(mocks.captured.vonage).toHaveLength(before + 1);
  return { notifyId, uuid: await providerMessageIdOf(deliveryIds[0]!) };
}

describe("POST /hooks/vonage", () => {
  it("a signed delivered status makes the SMS delivered; a signed rejection of another makes it a permanent failure with its code", async () => {
    const { notifyId, uuid } = await sentSms();
    expect(await statusesOf(notifyId)).toEqual({ "+17787001234": "sending" });
    expect(await json(await post(status(uuid, "submitted")))).toEqual({ applied: 0, ignored: 1 });
    const res = await post(status(uuid, "delivered", { destination: { network_code: "302720" } }));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 1, ignored: 0 });
    expect(await statusesOf(notifyId)).toEqual({ "+17787001234": "delivered" });

    const other = await sentSms();
    const rejected = status(other.uuid, "rejected", { error: { type: "https://developer.vonage.com/api-errors/messages#1250", title: 1250, detail: "Rejected by the carrier", instance: "bf0ca0bf927b3b52e3cb03217e1a1ddf" } });
    expect(await json(await post(rejected))).toEqual({ applied: 1, ignored: 0 });
    const message = (await json(await asTenant(tenant, "GET", `/api/v1/notify/${other.notifyId}`))).messages[0];
    expect(message).toMatchObject({ status: "permanent-failure", error: { providerCode: "1250", message: "Rejected by the carrier" } });
  });

  it("refuses another secret, a stale iat, another body's hash and a missing token, changing nothing", async () => {
    const { notifyId, uuid } = await sentSms();
    const delivered = status(uuid, "delivered");
    await expectProblem(await post(delivered, { secret: "another-secret" }), 403);
    await expectProblem(await post(delivered, { iat: Math.floor(Date.now() / 1000) - 3600 }), 403);
    await expectProblem(await post(delivered, { hashOf: "{}" }), 403);
    await expectProblem(await post(delivered, { unsigned: true }), 401);
    expect(await statusesOf(notifyId)).toEqual({ "+17787001234": "sending" });
  });

  it("a repeated status is applied once; an unknown message_uuid is answered 200", async () => {
    const { notifyId, uuid } = await sentSms();
    const delivered = status(uuid, "delivered");
    expect(await json(await post(delivered))).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(delivered))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusesOf(notifyId)).toEqual({ "+17787001234": "delivered" });
    expect(await json(await post(status("aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "delivered")))).toEqual({ applied: 0, ignored: 1 });
  });
});
