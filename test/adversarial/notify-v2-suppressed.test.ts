import { beforeAll, describe, expect, it } from "vitest";
import { call, json, notifyToken } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

/**
 * Found by attacking the v2 API (session 11): a v2 send to a suppressed address was answered
 * `ValidationError: email_address Not a valid email address`, a lie a client would act on
 * (fixing an address that is fine). A suppressed recipient is Notify-shaped and says so.
 */
let tenant: TestTenant;
let emailTemplate: string;
let smsTemplate: string;

beforeAll(async () => {
  tenant = await createTestTenant("v2 suppressed");
  const template = async (body: object) => (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body }))).id as string;
  emailTemplate = await template({ name: "e", channel: "email", subject: "Hi ((name))", body: "Dear ((name))", renderer: "gc" });
  smsTemplate = await template({ name: "s", channel: "sms", body: "Hi ((name))", renderer: "gc" });
});

async function v2(path: string, body: unknown) {
  return call("POST", `/v2${path}`, { body, headers: { authorization: `Bearer ${await notifyToken(tenant.keys.test)}` } });
}

describe("a v2 send to a suppressed recipient", () => {
  it("is a 400 BadRequestError naming the suppression, not an invalid address, and stores nothing", async () => {
    for (const [channel, recipient] of [["email", "Gone@Example.com"], ["sms", "+447700900123"]] as const) {
      const added = await asTenant(tenant, "POST", "/api/v1/suppressions", { body: { channel, recipient } });
      expect(added.status).toBe(201);
    }
    const email = await v2("/notifications/email", { email_address: "gone@example.com", template_id: emailTemplate, personalisation: { name: "x" } });
    expect(email.status).toBe(400);
    const emailBody = await json(email);
    expect(emailBody.errors).toEqual([{ error: "BadRequestError", message: expect.stringMatching(/^email_address gone@example\.com is on your email suppression list/) }]);

    const sms = await v2("/notifications/sms", { phone_number: "+447700900123", template_id: smsTemplate, personalisation: { name: "x" } });
    expect(sms.status).toBe(400);
    expect((await json(sms)).errors).toEqual([{ error: "BadRequestError", message: expect.stringMatching(/^phone_number \+447700900123 is on your sms suppression list/) }]);

    const listed = await json(await call("GET", "/v2/notifications", { headers: { authorization: `Bearer ${await notifyToken(tenant.keys.test)}` } }));
    expect(listed.notifications).toEqual([]);
  });

  it("still answers an invalid address as Notify's ValidationError", async () => {
    const res = await v2("/notifications/email", { email_address: "nobody", template_id: emailTemplate, personalisation: { name: "x" } });
    expect(await json(res)).toEqual({ status_code: 400, errors: [{ error: "ValidationError", message: "email_address Not a valid email address" }] });
  });
});
