import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant } from "../helpers/tenants";
import { CODE, SEED_PARAMS, type SeedSetup, seedSetup } from "./setup";

// The seed's §3 (seeds/004_…txt, examples 3.1 to 3.5) as written, against the set-up in setup.ts.
const mocks = createProviderMocks();
let seed: SeedSetup;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  seed = await seedSetup();
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const example31 = { notificationEventType: CODE, params: SEED_PARAMS };
const example33 = { ...example31, overrides: { sms: {} } };
const example34 = () => ({ ...example31, overrides: { email: { content: { template: { templateId: seed.otherEmailTemplateId } } }, sms: {} } });
const example35 = () => ({ ...example34(), augments: { email: { recipients: { cc: ["tom@gov.bc.ca"] } } } });

const send = (body: unknown, query = "") => asTenant(seed.tenant, "POST", `/api/v1/notifyevent${query}`, { body });

describe("seed 3.1: send a notification from an application using a notification event", () => {
  it("sends the event type's email (to the applicant, cc the group) and SMS with the request's params, and records the event type", async () => {
    const res = await send(example31);
    expect(res.status).toBe(201);
    const receipt = await json(res);
    expect(receipt).toMatchObject({ status: "accepted", channels: { email: 3, sms: 1 }, eventType: { code: CODE, version: 1 } });

    const final = await waitForNotification(seed.tenant, receipt.notifyId);
    expect(final.status).toBe("delivered");
    expect(final).toMatchObject({ source: "notifyevent", eventType: { code: CODE, version: 1 } });
    expect(final.messages.map((m: any) => [m.channel, m.recipient, m.role])).toEqual([
      ["email", "lucky@me.com", "to"],
      ["email", "fred@gov.bc.ca", "cc"],
      ["email", "joan@gov.bc.ca", "cc"],
      ["sms", "+17787001234", null],
    ]);
    expect(final.messages[0].templateId).toBe(seed.emailTemplateId);
    expect(final.messages[3].templateId).toBe(seed.smsTemplateId);
    // The stored notification keeps where everything came from.
    expect(final.resolution.eventType).toMatchObject({ code: CODE, version: 1 });
    expect(final.resolution.channels.email).toMatchObject({
      provider: "system",
      "sender.from": "system",
      "recipients.to": "event",
      "recipients.cc": "event",
      "content.templateId": "event",
      "params.firstname": "request",
    });

    expect(mocks.captured.ses).toHaveLength(1);
    expect(mocks.captured.ses[0]!.destination).toEqual({ ToAddresses: ["lucky@me.com"], CcAddresses: ["fred@gov.bc.ca", "joan@gov.bc.ca"] });
    expect(mocks.captured.ses[0]!.mime.subject).toBe("Notification of funding approval for Small Business Development Fund");
    expect(mocks.captured.twilio).toEqual([
      { to: "+17787001234", from: "+15005550006", body: "Hey Lucky Applicant You just got awarded $1000 for Small Business Development Fund" },
    ]);
  });
});

describe("seed 3.2: preview", () => {
  it("answers exactly what would be sent, the group's addresses expanded, and stores nothing", async () => {
    const res = await send(example31, "?preview=true");
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email).toHaveLength(1);
    expect(preview.email[0].recipients).toEqual({ to: ["lucky@me.com"], cc: ["fred@gov.bc.ca", "joan@gov.bc.ca"] });
    expect(preview.email[0].content).toMatchObject({
      subject: "Notification of funding approval for Small Business Development Fund",
      body: "Dear Lucky Applicant \n Your funding to the amount of $1000 for program Small Business Development Fund has been approved",
      bodyType: "text",
      encoding: "utf-8",
    });
    // Numbers are normalised to E.164 (the seed shows the number as written).
    expect(preview.sms).toEqual([
      expect.objectContaining({
        recipients: { to: ["+17787001234"] },
        content: expect.objectContaining({ body: "Hey Lucky Applicant You just got awarded $1000 for Small Business Development Fund" }),
      }),
    ]);
    expect(preview.resolution).toBeUndefined();
    const history = await json(await asTenant(seed.tenant, "GET", `/api/v1/notify?correlationId=${encodeURIComponent("never-stored")}`));
    expect(history.items).toEqual([]);
  });

  it("with explain=true also answers where each value came from", async () => {
    const preview = await json(await send({ ...example31, params: { ...SEED_PARAMS } }, "?preview=true&explain=true"));
    expect(preview.resolution).toEqual({
      eventType: { id: expect.any(String), code: CODE, version: 1 },
      channels: {
        email: {
          provider: "system",
          "sender.from": "system",
          "content.templateId": "event",
          "recipients.to": "event",
          "recipients.cc": "event",
          "params.amount": "request",
          "params.emailaddress": "request",
          "params.firstname": "request",
          "params.lastname": "request",
          "params.phonenumber": "request",
          "params.program": "request",
        },
        sms: {
          provider: "system",
          "sender.senderId": "system",
          "content.templateId": "event",
          "recipients.to": "event",
          "params.amount": "request",
          "params.emailaddress": "request",
          "params.firstname": "request",
          "params.lastname": "request",
          "params.phonenumber": "request",
          "params.program": "request",
          region: "system",
        },
      },
    });
  });
});

describe("seed 3.3: SMS override", () => {
  it('"sms": {} in overrides sends no SMS', async () => {
    const preview = await json(await send(example33, "?preview=true&explain=true"));
    expect(preview.sms).toBeUndefined();
    expect(preview.email).toHaveLength(1);
    expect(preview.resolution.notSent).toEqual({ sms: "overrides.sms" });

    const receipt = await json(await send(example33));
    expect(receipt.channels).toEqual({ email: 3 });
    const final = await waitForNotification(seed.tenant, receipt.notifyId);
    expect(final.channels).toEqual(["email"]);
    expect(mocks.captured.twilio).toEqual([]);
  });
});

describe("seed 3.4: template override", () => {
  it("content.template.templateId in overrides replaces the event type's email template", async () => {
    const preview = await json(await send(example34(), "?preview=true&explain=true"));
    expect(preview.sms).toBeUndefined();
    expect(preview.email[0].content).toMatchObject({ subject: "Funding decision: Small Business Development Fund", body: "Dear Lucky Applicant, funding of $1000 is approved." });
    expect(preview.email[0].recipients).toEqual({ to: ["lucky@me.com"], cc: ["fred@gov.bc.ca", "joan@gov.bc.ca"] });
    expect(preview.resolution.channels.email["content.templateId"]).toBe("request");

    const receipt = await json(await send(example34()));
    const final = await waitForNotification(seed.tenant, receipt.notifyId);
    expect(final.messages.every((m: any) => m.templateId === seed.otherEmailTemplateId)).toBe(true);
  });
});

describe("seed 3.5: augment recipients", () => {
  it("augments.email.recipients.cc adds to the event type's cc", async () => {
    const preview = await json(await send(example35(), "?preview=true&explain=true"));
    expect(preview.email[0].recipients).toEqual({ to: ["lucky@me.com"], cc: ["fred@gov.bc.ca", "joan@gov.bc.ca", "tom@gov.bc.ca"] });
    expect(preview.resolution.channels.email["recipients.cc"]).toBe("event+augment");

    const receipt = await json(await send(example35()));
    expect(receipt.channels).toEqual({ email: 4 });
    await waitForNotification(seed.tenant, receipt.notifyId);
    expect(mocks.captured.ses.at(-1)!.destination.CcAddresses).toEqual(["fred@gov.bc.ca", "joan@gov.bc.ca", "tom@gov.bc.ca"]);
  });
});
