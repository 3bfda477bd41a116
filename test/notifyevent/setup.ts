import { expect } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

/** The seed's §3 set-up (seeds/004_…txt "Admin UI"), through the API. */
export interface SeedSetup {
  tenant: TestTenant;
  emailTemplateId: string;
  smsTemplateId: string;
  /** The "<guid>" of examples 3.4 and 3.5: another email template on the server. */
  otherEmailTemplateId: string;
}

/** The event type's code: the seed writes "funding-approved" in the set-up and "funding-approval" in the calls; one code is meant. */
export const CODE = "funding-approval";

export const SEED_PARAMS = {
  firstname: "Lucky",
  lastname: "Applicant",
  program: "Small Business Development Fund",
  amount: "1000",
  emailaddress: "lucky@me.com",
  phonenumber: "7787001234",
};

async function created(res: Response): Promise<any> {
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return json(res);
}

export async function seedSetup(): Promise<SeedSetup> {
  const tenant = await createTestTenant(`Funding ${crypto.randomUUID().slice(0, 6)}`, { status: "live" });
  const email = await created(
    await asTenant(tenant, "POST", "/api/v1/templates", {
      body: {
        name: "Funding Approved Email",
        channel: "email",
        subject: "Notification of funding approval for {{program}}",
        body: "Dear {{firstname}} {{lastname}} \n Your funding to the amount of ${{amount}} for program {{program}} has been approved",
      },
    }),
  );
  // The seed's SMS default names the email template; the SMS template is meant.
  const sms = await created(
    await asTenant(tenant, "POST", "/api/v1/templates", {
      body: { name: "Funding Approved SMS", channel: "sms", message: "Hey {{firstname}} {{lastname}} You just got awarded ${{amount}} for {{program}}" },
    }),
  );
  const other = await created(
    await asTenant(tenant, "POST", "/api/v1/templates", {
      body: { name: "Funding Approved Email (formal)", channel: "email", subject: "Funding decision: {{program}}", body: "Dear {{firstname}} {{lastname}}, funding of ${{amount}} is approved." },
    }),
  );
  // Group FundingApprovers "comes directly from CSTAR": here it is kept by the service (/api/v1/groups).
  await created(
    await asTenant(tenant, "POST", "/api/v1/groups", {
      body: { name: "FundingApprovers", members: [{ name: "Fred", email: "fred@gov.bc.ca" }, { name: "Joan", email: "joan@gov.bc.ca" }] },
    }),
  );
  const eventType = await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
    body: {
      code: CODE,
      name: "Funding approved",
      email: { content: { templateId: email.id }, recipients: { to: ["{{emailaddress}}"], cc: ["group:FundingApprovers"] } },
      sms: { content: { templateId: sms.id }, recipients: { to: ["{{phonenumber}}"] } },
    },
  });
  expect(eventType.status).toBe(201);
  return { tenant, emailTemplateId: email.id, smsTemplateId: sms.id, otherEmailTemplateId: other.id };
}
