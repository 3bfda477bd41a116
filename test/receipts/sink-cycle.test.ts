import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { createTestTenant, type TestTenant } from "../helpers/tenants";
import { waitForNotification } from "../helpers/status";
import { devSnsNotification } from "../../src/dev/sns-signing";
import { callWith, PUBLIC_ORIGIN, SES_TOPIC_ARN, sendAndDeliver, statusOf, wiredEnv } from "./helpers";

// The `npm start` cycle: the real adapters call the local sinks (this Worker's /dev/sink routes),
// the sinks answer, then report back as the providers would (Twilio's signed status callbacks,
// SES Delivery events through dev-signed SNS notifications), and the messages end delivered.
const sinkEnv = wiredEnv({ DEV_SINK: "true", TWILIO_API_URL: `${PUBLIC_ORIGIN}/dev/sink/twilio`, SES_ENDPOINT: `${PUBLIC_ORIGIN}/dev/sink/ses` });

/** Every call to the Worker's own origin, the sinks' reports included; their waitUntil work is awaited at the end. */
const running: Promise<void>[] = [];
const server = setupServer(
  http.all(`${PUBLIC_ORIGIN}/*`, async ({ request }) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(request as unknown as Request), sinkEnv, ctx);
    running.push(waitOnExecutionContext(ctx));
    return res;
  }),
);

let tenant: TestTenant;
beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Sink receipts", { status: "live" });
});
afterAll(() => server.close());

async function settled(notifyId: string) {
  return waitForNotification(tenant, notifyId, (n) => n.status !== "sending", 10_000);
}

describe("local sinks report receipts", () => {
  it("an SMS through the Twilio sink: sending, then sent and delivered by signed status callbacks", async () => {
    const { notifyId } = await sendAndDeliver(tenant, "/api/v1/notifysimple/sms", { recipients: { to: ["+17787001234"] }, content: { body: "Hello" } }, sinkEnv);
    expect((await statusOf(tenant, notifyId)).messages[0].status).toBe("sending");
    expect(await settled(notifyId)).toMatchObject({ status: "delivered", messages: [{ status: "delivered", provider: "twilio" }] });
    await Promise.all(running);
  });

  it("an email to two recipients through the SES sink: each delivered by an SNS-wrapped Delivery event", async () => {
    const { notifyId } = await sendAndDeliver(
      tenant,
      "/api/v1/notifysimple/email",
      { recipients: { to: ["ann@example.com"], cc: ["bob@example.com"] }, content: { subject: "Hello", body: "Body" } },
      sinkEnv,
    );
    expect((await statusOf(tenant, notifyId)).status).toBe("sending");
    expect(await settled(notifyId)).toMatchObject({ status: "delivered", counts: { delivered: 2 } });
    await Promise.all(running);
  });

  it("a notification signed with the dev SNS key is refused where the dev sinks are off (production)", async () => {
    const record = { eventType: "Delivery", mail: { messageId: "0100019dev-000000", destination: ["eve@example.com"] }, delivery: { recipients: ["eve@example.com"] } };
    const signed = await devSnsNotification(env.BUCKET, PUBLIC_ORIGIN, SES_TOPIC_ARN, JSON.stringify(record));
    const init = { method: "POST", headers: { "content-type": "text/plain; charset=UTF-8" }, body: JSON.stringify(signed) };
    const refused = await callWith(wiredEnv(), "/hooks/ses", init);
    expect(refused.status).toBe(403);
    expect((await refused.json()) as object).toMatchObject({ detail: expect.stringMatching(/SigningCertURL/) });
    // The same notification where the dev sinks are on is verified (and ignored: no such message):
    // the refusal above is the gate, not the signature.
    const taken = await callWith(sinkEnv, "/hooks/ses", init);
    expect(taken.status).toBe(200);
    expect(await taken.json()).toEqual({ applied: 0, ignored: 1 });
  });
});
