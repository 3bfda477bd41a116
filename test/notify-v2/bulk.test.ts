import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, json, notifyToken } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const mocks = createProviderMocks();
let tenant: TestTenant;
let smsTemplate: string;
let emailTemplate: string;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("GC bulk");
  const template = async (body: object) => (await json(await asTenant(tenant, "POST", "/api/v1/templates", { body }))).id as string;
  smsTemplate = await template({ name: "bulk sms", channel: "sms", body: "Hi ((name))", renderer: "gc" });
  emailTemplate = await template({ name: "bulk email", channel: "email", subject: "Hello ((name))", body: "Dear ((name))", renderer: "gc" });
});
afterAll(() => mocks.server.close());

async function bulk(body: unknown) {
  return call("POST", "/gcnotify/v2/notifications/bulk", { body, headers: { authorization: `Bearer ${await notifyToken(tenant.keys.test)}` } });
}

describe("POST /gcnotify/v2/notifications/bulk", () => {
  it("sends rows as a mail merge and answers the job", async () => {
    const res = await bulk({ name: "march", template_id: smsTemplate, rows: [["phone number", "name"], ["+447700900404", "Ann"], ["+447700900405", "Bo"]] });
    expect(res.status).toBe(201);
    const { data } = await json(res);
    expect(data).toMatchObject({ original_file_name: "march", service: tenant.id, template: smsTemplate, template_version: 1, template_type: "sms", notification_count: 2, job_status: "in progress", scheduled_for: null });
    expect(data.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const status = await waitForNotification(tenant, data.id, (n) => n.status === "delivered");
    expect(status.counts.delivered).toBe(2);
  });

  it("takes csv text for an email template", async () => {
    const res = await bulk({ name: "csv", template_id: emailTemplate, csv: "email address,name\r\nann@example.com,Ann\r\nbo@example.com,\"Bo, Jr.\"\r\n" });
    expect(res.status).toBe(201);
    expect((await json(res)).data).toMatchObject({ template_type: "email", notification_count: 2 });
  });

  it("refuses both or neither of rows and csv, a bad row and an unknown template in Notify's shape", async () => {
    const both = await bulk({ name: "x", template_id: smsTemplate, rows: [["phone number"], ["+447700900404"]], csv: "phone number\n+447700900404" });
    expect(await json(both)).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: "You should specify either rows or csv" }] });
    const badRow = await json(await bulk({ name: "x", template_id: smsTemplate, rows: [["phone number", "name"], ["not a phone", "Ann"]] }));
    expect(badRow.status_code).toBe(400);
    expect(badRow.errors[0]).toMatchObject({ error: "BadRequestError", message: expect.stringMatching(/^Row 1/) });
    expect(await json(await bulk({ name: "x", template_id: crypto.randomUUID(), rows: [["phone number"], ["+447700900404"]] }))).toEqual({ status_code: 400, errors: [{ error: "BadRequestError", message: "Template not found" }] });
    expect(await json(await bulk({ template_id: smsTemplate, rows: [] }))).toEqual({
      status_code: 400,
      errors: [
        { error: "ValidationError", message: "name is a required property" },
        { error: "ValidationError", message: "rows [] is too short" },
      ],
    });
  });
});
