import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { expectProblem, mockSendGridAndMailgun, sendWith, statusesOf, wiredFor } from "./email-hooks";
import { callWith, providerMessageIdOf } from "./helpers";

// The private half of the test key pair whose public half is SENDGRID_WEBHOOK_PUBLIC_KEY in vitest.config.ts.
const PRIVATE_JWK = { kty: "EC", crv: "P-256", x: "OxQijPEWTtDnltKgP8ODTFkcBvy4Ln24Xictt_cTqUc", y: "_QMsggIEEcQB7Ou9TvSeW2Ck95aY0-9tgcbi0yuIqGI", d: "MHL8-ONHAYKJ48udyNEPyfNYK_FU57_9SgTfdiruYxE" };

const mocks = createProviderMocks();
let tenant: TestTenant;
let sent: ReturnType<typeof mockSendGridAndMailgun>;
const e = wiredFor("sendgrid");

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("SendGrid receipts", { status: "live" });
  await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", { body: { email: { provider: "sendgrid" } } });
});
beforeEach(() => {
  sent = mockSendGridAndMailgun(mocks.server);
});
afterEach(() => {
  mocks.reset();
  mocks.server.resetHandlers();
});
afterAll(() => mocks.server.close());

/** DER-encodes a raw r‖s ECDSA signature, as SendGrid sends it. */
function toDer(raw: Uint8Array): Uint8Array {
  const int = (bytes: Uint8Array) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = bytes.subarray(i);
    return trimmed[0]! & 0x80 ? [0x02, trimmed.length + 1, 0, ...trimmed] : [0x02, trimmed.length, ...trimmed];
  };
  const body = [...int(raw.subarray(0, 32)), ...int(raw.subarray(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** The headers SendGrid signs a body with. */
async function signedHeaders(body: string): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey("jwk", PRIVATE_JWK, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new TextEncoder().encode(timestamp + body)));
  return { "content-type": "application/json", "x-twilio-email-event-webhook-timestamp": timestamp, "x-twilio-email-event-webhook-signature": btoa(String.fromCharCode(...toDer(raw))) };
}

/** An Event Webhook post as SendGrid signs it: ECDSA P-256 over timestamp + body, base64 DER. */
async function post(events: object[], options: { timestamp?: number; jwk?: JsonWebKey; signature?: string | null } = {}) {
  const body = JSON.stringify(events);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey("jwk", options.jwk ?? PRIVATE_JWK, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new TextEncoder().encode(timestamp + body)));
  const signature = options.signature === undefined ? btoa(String.fromCharCode(...toDer(raw))) : options.signature;
  const headers: Record<string, string> = { "content-type": "application/json", "x-twilio-email-event-webhook-timestamp": timestamp };
  if (signature !== null) headers["x-twilio-email-event-webhook-signature"] = signature;
  return callWith(e, "/hooks/sendgrid", { method: "POST", headers, body });
}

// Events shaped as in SendGrid's Event Webhook reference
// (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event): sg_message_id is
// the X-Message-Id the send answered, followed by the sending server's suffix.
const event = (xMessageId: string, email: string, kind: string, extra: Record<string, unknown> = {}) => ({
  email,
  timestamp: Math.floor(Date.now() / 1000),
  "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
  event: kind,
  category: "cat facts",
  sg_event_id: `${kind}-${crypto.randomUUID()}`,
  sg_message_id: `${xMessageId}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0`,
  ...extra,
});

async function sentEmail(to = ["ann@example.com", "bob@example.com"]) {
  const { notifyId, deliveryIds } = await sendWith(e, tenant, "/api/v1/notifysimple/email", { recipients: { to }, content: { subject: "Hello", body: "Body" } });
  expect(sent.sendgrid).toHaveLength(1);
  return { notifyId, id: await providerMessageIdOf(deliveryIds[0]!) };
}

describe("POST /hooks/sendgrid", () => {
  it("a signed batch moves each recipient of the email: delivered for one, bounced for the other; engagement events are skipped", async () => {
    const { notifyId, id } = await sentEmail();
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending", "bob@example.com": "sending" });
    const res = await post([
      event(id, "ann@example.com", "processed"),
      event(id, "ann@example.com", "delivered", { response: "250 OK" }),
      event(id, "ann@example.com", "open", { useragent: "Mozilla/4.0" }),
      event(id, "bob@example.com", "bounce", { reason: "500 unknown recipient", status: "5.0.0", type: "bounce" }),
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ applied: 2, ignored: 1 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered", "bob@example.com": "permanent-failure" });
    const message = (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`))).messages.find((m: { recipient: string }) => m.recipient === "bob@example.com");
    expect(message.error).toMatchObject({ code: "delivery_failed_permanently", message: "500 unknown recipient", providerCode: "5.0.0", provider: "sendgrid" });
  });

  it("refuses a wrong key's signature, a stale timestamp and an unsigned post with problem+json, changing nothing", async () => {
    const { notifyId, id } = await sentEmail();
    const delivered = [event(id, "ann@example.com", "delivered")];
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const other = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
    await expectProblem(await post(delivered, { jwk: other }), 403);
    await expectProblem(await post(delivered, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 403);
    await expectProblem(await post(delivered, { signature: null }), 401);
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "sending", "bob@example.com": "sending" });
  });

  it("a repeated post is applied once; a post for an unknown message is answered 200 and ignored", async () => {
    const { notifyId, id } = await sentEmail(["ann@example.com"]);
    const delivered = [event(id, "ann@example.com", "delivered")];
    expect(await json(await post(delivered))).toEqual({ applied: 1, ignored: 0 });
    expect(await json(await post(delivered))).toEqual({ applied: 0, ignored: 1 });
    expect(await statusesOf(notifyId)).toEqual({ "ann@example.com": "delivered" });
    const counts = (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`))).counts;
    expect(counts).toEqual({ delivered: 1 });

    const unknown = await post([event("nosuchmessage", "ann@example.com", "delivered")]);
    expect(unknown.status).toBe(200);
    expect(await json(unknown)).toEqual({ applied: 0, ignored: 1 });
  });

  it("a spam report suppresses the recipient for the tenant", async () => {
    const { id } = await sentEmail(["spam@example.com"]);
    expect(await json(await post([event(id, "spam@example.com", "spamreport")]))).toEqual({ applied: 1, ignored: 0 });
    const list = await json(await asTenant(tenant, "GET", "/api/v1/suppressions?channel=email&recipient=spam@example.com"));
    expect(list.items).toHaveLength(1);
  });

  it("the largest post taken (5,000 events) stays far below D1's 1,000 queries per invocation: moves are set-based", async () => {
    const emails: { notifyId: string; id: string; to: string[] }[] = [];
    for (const i of [0, 1, 2]) {
      const to = [`ann${i}@example.com`, `bob${i}@example.com`];
      emails.push({ ...(await sentEmail(to)), to });
      sent.sendgrid.length = 0;
    }
    const t = Math.floor(Date.now() / 1000);
    const known = emails.flatMap(({ id, to }) =>
      to.flatMap((email) => [
        { event: "processed", email, timestamp: t - 2, sg_message_id: `${id}.x`, sg_event_id: crypto.randomUUID() },
        { event: "delivered", email, timestamp: t - 1, sg_message_id: `${id}.x`, sg_event_id: crypto.randomUUID() },
        { event: "bounce", email, timestamp: t, type: "bounce", reason: "550 gone", status: "5.1.1", sg_message_id: `${id}.x`, sg_event_id: crypto.randomUUID() },
      ]),
    );
    // The rest: each its own (unknown) message, with a distinct detail, so nothing groups by accident.
    const rest = Array.from({ length: 5000 - known.length }, (_, i) => ({ event: i % 2 ? "delivered" : "dropped", reason: `r${i}`, email: `x${i}@example.com`, timestamp: t, sg_message_id: `unknown${i}.x`, sg_event_id: `e${i}` }));
    let statements = 0;
    const counting = new Proxy(env.DB, {
      get(target, name) {
        if (name === "prepare") return (query: string) => (statements++, target.prepare(query));
        const value = Reflect.get(target, name) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const body = [...known, ...rest];
    expect(JSON.stringify(body).length).toBeLessThan(1024 * 1024);
    const res = await callWith(wiredFor("sendgrid", { DB: counting }), "/hooks/sendgrid", {
      method: "POST",
      headers: await signedHeaders(JSON.stringify(body)),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect((await json(res)).applied).toBe(emails.length * 2 * 2);
    // 10 calls of 500: a read and at most 5 × 3 + 3 statements each.
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThanOrEqual(10 * 19);
    for (const { notifyId } of emails) expect(Object.values(await statusesOf(notifyId))).toEqual(["permanent-failure", "permanent-failure"]);
    await env.DB.prepare("DELETE FROM early_receipts").run();
  });

  it("refuses malformed bodies (400), too many events (413), unwired (404) and unconfigured (503) deployments", async () => {
    const bad = await callWith(e, "/hooks/sendgrid", { method: "POST", headers: { "content-type": "application/json" }, body: "[{" });
    await expectProblem(bad, 400);
    await expectProblem(await post({ event: "delivered" } as unknown as object[]), 400);
    const many = Array.from({ length: 5001 }, (_, i) => ({ event: "delivered", email: "a@example.com", timestamp: 1, sg_message_id: `m${i}` }));
    await expectProblem(await post(many), 413);
    await expectProblem(await callWith(env as never, "/hooks/sendgrid", { method: "POST", headers: { "content-type": "application/json" }, body: "[]" }), 404);
    await expectProblem(await callWith(wiredFor("sendgrid", { SENDGRID_WEBHOOK_PUBLIC_KEY: undefined }), "/hooks/sendgrid", { method: "POST", headers: { "content-type": "application/json" }, body: "[]" }), 503);
  });
});
