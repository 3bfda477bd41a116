import { env } from "cloudflare:workers";
import { delay, http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// A subscription service is asked for recipients when a send is planned (previews too). Its
// failure is recorded as a failed message of the notification (see "failures" below).

const SUBS_URL = "https://subs.example.gov/recipients";
const mocks = createProviderMocks();
let tenant: TestTenant;
/** What the subscription service received. */
const received: { body: any; auth: string | null }[] = [];
/** The next answer of the subscription service. */
let answer: () => Promise<Response> | Response;
const ok = (body: unknown) => () => HttpResponse.json(body as never);

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  mocks.server.use(
    http.post(SUBS_URL, async ({ request }) => {
      received.push({ body: await request.json(), auth: request.headers.get("authorization") });
      return answer();
    }),
  );
  tenant = await createTestTenant("Subscription calls");
  for (const [name, extra] of [
    ["applicants", {}],
    ["slow", { timeoutMs: 200 }],
  ] as const) {
    const res = await asTenant(tenant, "POST", "/api/v1/service/subscriptions", {
      body: {
        name,
        url: SUBS_URL,
        authHeader: { name: "Authorization", value: "Bearer subs-secret" },
        requestMapping: { applicantId: "{{applicationId}}", note: "for {{program}}" },
        responseMapping: { email: "recipients[].email", sms: "recipients[].phone" },
        ...extra,
      },
    });
    expect(res.status).toBe(201);
  }
});
afterEach(() => {
  mocks.reset();
  received.length = 0;
});
afterAll(() => mocks.server.close());

const params = { applicationId: 42, program: "Small Business Fund" };
const emailSend = {
  params,
  email: { recipients: { subscription: "applicants" }, content: { subject: "Hi", body: "Approved: {{program}}" } },
};

async function stored(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>();
  return row!.n;
}

describe("success", () => {
  it("the preview shows the recipients the service answered, and the service got the mapped params and the auth header", async () => {
    answer = ok({ recipients: [{ email: "Ada@Example.com", phone: "+17787001234" }, { email: "bob@example.com" }, { email: "ada@example.com" }] });
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", {
      body: { ...emailSend, email: { ...emailSend.email, recipients: { to: ["cara@example.com"], subscription: "applicants" } } },
    });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email[0].recipients).toEqual({ to: ["cara@example.com", "Ada@example.com", "bob@example.com"] });
    expect(received).toEqual([
      { body: { channel: "email", params: { applicantId: 42, note: "for Small Business Fund" }, correlationId: expect.any(String) }, auth: "Bearer subs-secret" },
    ]);
  });

  it("a send stores one message per number the service answered (national numbers read in the tenant's region)", async () => {
    answer = ok({ recipients: [{ phone: "+17787001234" }, { phone: "778 700 1235" }, { email: "no-phone@example.com" }] });
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: { params, sms: { recipients: { subscription: "applicants" }, content: { body: "Approved" } } },
    });
    expect(res.status).toBe(201);
    const { notifyId, channels } = await json(res);
    expect(channels).toEqual({ sms: 2 });
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(status.messages.map((m: { recipient: string }) => m.recipient).sort()).toEqual(["+17787001234", "+17787001235"]);
    expect(received[0]!.body.channel).toBe("sms");
  });
});

describe("the cascade names the service too", () => {
  it("a tenant default subscription is asked when the request names none; an unknown one is refused when saved", async () => {
    const t = await createTestTenant("Default subscription");
    const unknown = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { subscription: "applicants" } } });
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).errors).toEqual([{ path: "email.subscription", message: 'No subscription service named "applicants"' }]);
    const created = await asTenant(t, "POST", "/api/v1/service/subscriptions", {
      body: { name: "applicants", url: SUBS_URL, responseMapping: { email: "recipients[].email" } },
    });
    expect(created.status).toBe(201);
    expect((await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { subscription: "applicants" } } })).status).toBe(200);
    answer = ok({ recipients: [{ email: "dee@example.com" }] });
    const res = await asTenant(t, "POST", "/api/v1/notifysimple/email?preview=true&explain=true", { body: { content: { subject: "s", body: "b" }, recipients: {} } });
    expect(res.status).toBe(200);
    const preview = await json(res);
    expect(preview.email[0].recipients).toEqual({ to: ["dee@example.com"] });
    expect(preview.resolution.channels.email["recipients.subscription"]).toBe("tenant");
  });

  it("an event type's subscription is asked with the event type's code", async () => {
    const t = await createTestTenant("Event subscription");
    await asTenant(t, "POST", "/api/v1/service/subscriptions", { body: { name: "applicants", url: SUBS_URL, responseMapping: { email: "recipients[].email" } } });
    const type = await asTenant(t, "POST", "/api/v1/notifyevent/types", {
      body: { code: "approved", name: "Approved", email: { recipients: { subscription: "applicants" }, content: { subject: "s", body: "b" } } },
    });
    expect(type.status).toBe(201);
    answer = ok({ recipients: [{ email: "eve@example.com" }] });
    const res = await asTenant(t, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "approved" } });
    expect(res.status).toBe(200);
    expect((await json(res)).email[0].recipients).toEqual({ to: ["eve@example.com"] });
    expect(received[0]!.body).toMatchObject({ eventType: "approved", channel: "email" });
  });
});

describe("refusals before any call", () => {
  it("422 for an unknown service, at the field that names it", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { ...emailSend, email: { ...emailSend.email, recipients: { subscription: "nope" } } } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ path: "email.recipients.subscription", message: 'No subscription service named "nope"' }]);
    expect(received).toEqual([]);
  });

  it("422 naming a param the service's requestMapping needs", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { ...emailSend, params: { program: "x" } } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ path: "email.params.applicationId", message: 'Required by the subscription service "applicants" but not supplied' }]);
    expect(received).toEqual([]);
  });
});

// A service that cannot be asked is not the caller's mistake: the notification is accepted, the
// channel's other recipients are sent as usual, and the lookup is recorded as a message of its own
// (recipient `subscription:<name>`, technical-failure) saying which service failed and whether a
// retry may help. Nothing is handed to a provider for it.
const summaryOf = (name: string, reason: string, retryable: boolean) =>
  `subscription service "${name}": ${reason} (${retryable ? "temporary: a retry may help" : "permanent: the service or its configuration must be fixed"})`;

async function failedLookup(body: unknown) {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body });
  expect(res.status).toBe(201);
  const receipt = await json(res);
  const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${receipt.notifyId}`));
  return { receipt, status, lookup: status.messages.find((m: { recipient: string }) => m.recipient.startsWith("subscription:")) };
}

describe("failures: a failed technical message of its own, nothing sent for it", () => {
  const cases: [string, () => Promise<Response> | Response, boolean, string][] = [
    ["a 5xx", () => HttpResponse.json({ error: "down" }, { status: 503 }), true, "HTTP 503"],
    ["a 4xx", () => HttpResponse.json({ error: "nope" }, { status: 404 }), false, "HTTP 404"],
    ["an answer that is not JSON", () => new HttpResponse("<html>oops</html>", { headers: { "content-type": "text/html" } }), false, "the answer is not JSON"],
    ["an answer of the wrong shape", ok({ recipients: "ada@example.com" }), false, "the answer does not match its responseMapping (recipients[].email: expected an array at segment 1, found a string)"],
    ["a leaf that is not a string", ok({ recipients: [{ email: 7 }] }), false, "the answer does not match its responseMapping (recipients[].email: expected a string, found a number)"],
    ["an answer over 1 MB", () => new HttpResponse(JSON.stringify({ recipients: [], pad: "x".repeat(1024 * 1024) }), { headers: { "content-type": "application/json" } }), false, "the answer is larger than 1048576 bytes"],
    ["a redirect", () => new HttpResponse(null, { status: 302, headers: { location: "http://10.0.0.1/" } }), false, "the target redirected (HTTP 302); redirects are not followed"],
    ["addresses that cannot be used", ok({ recipients: [{ email: "not-an-address" }] }), false, "the answer holds 1 recipient that cannot be used (Not a valid email address: not-an-address)"],
  ];

  it.each(cases)("%s", async (_, reply, retryable, reason) => {
    answer = reply;
    const { receipt, status, lookup } = await failedLookup(emailSend);
    expect(receipt.status).toBe("failed");
    expect(status.status).toBe("failed");
    // Counted from the moment it is stored, not only once some delivery changes.
    expect(status.counts).toEqual({ "technical-failure": 1 });
    expect(status.messages).toHaveLength(1);
    expect(lookup).toMatchObject({
      channel: "email",
      recipient: "subscription:applicants",
      status: "technical-failure",
      error: { code: retryable ? "subscription_service_unavailable" : "subscription_service_failed", message: summaryOf("applicants", reason, retryable), retryable },
    });
    expect(JSON.stringify(status)).not.toContain("oops");
    expect(mocks.captured.ses).toEqual([]);
  });

  it("the channel's own recipients are still sent; the notification ends partially failed", async () => {
    answer = () => HttpResponse.json({ error: "down" }, { status: 503 });
    const { receipt, lookup } = await failedLookup({ ...emailSend, email: { ...emailSend.email, recipients: { to: ["cara@example.com"], subscription: "applicants" } } });
    expect(receipt).toMatchObject({ status: "accepted", channels: { email: 2 } });
    expect(lookup.status).toBe("technical-failure");
    const done = await waitForNotification(tenant, receipt.notifyId);
    expect(done.status).toBe("partially-failed");
    expect(done.counts).toEqual({ delivered: 1, "technical-failure": 1 });
    expect(done.messages.find((m: { recipient: string }) => m.recipient === "cara@example.com").status).toBe("delivered");
    expect(mocks.captured.ses).toHaveLength(1);
  });

  it("a preview shows the failure where the delivery would be, without storing anything", async () => {
    answer = () => HttpResponse.json({}, { status: 429, headers: { "retry-after": "30" } });
    const before = await stored();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", { body: emailSend });
    expect(res.status).toBe(200);
    expect((await json(res)).email).toEqual([
      { recipients: ["subscription:applicants"], failed: { code: "subscription_service_unavailable", message: summaryOf("applicants", "HTTP 429", true), retryable: true, httpStatus: 429 } },
    ]);
    expect(await stored()).toBe(before);
  });

  it("a timeout is retryable (the service's own timeoutMs)", async () => {
    answer = async () => {
      await delay("infinite");
      return HttpResponse.json({});
    };
    const { lookup } = await failedLookup({ ...emailSend, email: { ...emailSend.email, recipients: { subscription: "slow" } } });
    expect(lookup.error).toMatchObject({ retryable: true, message: summaryOf("slow", "no answer within 200 ms", true) });
  });

  it("a URL stored before a policy change is refused at call time and never fetched", async () => {
    const created = await json(
      await asTenant(tenant, "POST", "/api/v1/service/subscriptions", { body: { name: "legacy", url: SUBS_URL, responseMapping: { email: "recipients[].email" } } }),
    );
    await env.DB.prepare("UPDATE tenant_services SET url = ? WHERE id = ?").bind("https://169.254.169.254/latest/meta-data/", created.id).run();
    const { lookup } = await failedLookup({ ...emailSend, email: { ...emailSend.email, recipients: { subscription: "legacy" } } });
    expect(lookup.error).toMatchObject({
      retryable: false,
      message: summaryOf("legacy", "its URL is refused: Must not point at a cloud metadata address (169.254.169.254)", false),
    });
    expect(received).toEqual([]);
  });

  it("a delayed send whose lookup failed is still scheduled for its own recipients", async () => {
    answer = () => HttpResponse.json({ error: "down" }, { status: 503 });
    const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: { ...emailSend, email: { ...emailSend.email, recipients: { to: ["cara@example.com"], subscription: "applicants" } }, delayedSend },
    });
    expect(res.status).toBe(201);
    expect((await json(res)).status).toBe("scheduled");
  });

  it("an SMS lookup that fails leaves the request's own numbers to be sent", async () => {
    answer = () => HttpResponse.json({}, { status: 500 });
    const { receipt, status } = await failedLookup({ params, sms: { recipients: { to: ["+17787001234"], subscription: "applicants" }, content: { body: "Approved" } } });
    expect(receipt.channels).toEqual({ sms: 2 });
    expect(status.messages.map((m: { recipient: string }) => m.recipient).sort()).toEqual(["+17787001234", "subscription:applicants"]);
  });
});
