import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

/**
 * The cascade, case by case: each row gives the layers (tenant defaults and event types below are
 * fixed; the row adds the request) and pins the effective value and the layer it came from, as a
 * preview with explain=true answers them. Rows read like the README's rules table.
 */
let tenant: TestTenant;
let tplA: string;
let tplB: string;

async function created(res: Response) {
  if (res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return json(res);
}

beforeAll(async () => {
  tenant = await createTestTenant();
  tplA = (await created(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "A", channel: "email", subject: "A {{who}}", body: "template A" } }))).id;
  tplB = (await created(await asTenant(tenant, "POST", "/api/v1/templates", { body: { name: "B", channel: "email", subject: "B {{who}}", body: "template B" } }))).id;
  const defaults = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", {
    body: {
      params: { greeting: "Hi", org: "Tenant Org", who: "tenant" },
      email: { from: "Tenant <tenant@example.gov>", cc: ["records@example.gov"], params: { greeting: "Hello" } },
      sms: { senderId: "TENANT" },
    },
  });
  expect(defaults.status).toBe(200);
  await created(
    await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: {
        code: "cascade",
        name: "Cascade",
        email: {
          recipients: { to: ["{{to}}"], bcc: ["audit@example.gov"] },
          content: { subject: "S {{greeting}} {{org}}", body: "B {{who}}" },
          sender: { replyTo: ["reply@example.gov"] },
          params: { who: "event", org: "Event Org" },
        },
        sms: { enabled: false, recipients: { to: ["+17787001234"] }, content: { body: "T {{who}}" } },
      },
    }),
  );
  await created(
    await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: { code: "templated", name: "Templated", email: { recipients: { to: ["a@example.com"] }, content: { templateId: tplA } } },
    }),
  );
  await created(
    await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: { code: "bare", name: "Bare", email: { recipients: { to: ["a@example.com"] } }, sms: { content: { body: "hi" } } },
    }),
  );
  await created(
    await asTenant(tenant, "POST", "/api/v1/notifyevent/types", {
      body: { code: "off", name: "Off", enabled: false, email: { recipients: { to: ["a@example.com"] }, content: { subject: "s", body: "b" } } },
    }),
  );
});

const preview = (body: Record<string, unknown>) => asTenant(tenant, "POST", "/api/v1/notifyevent?preview=true&explain=true", { body });
const base = { notificationEventType: "cascade", params: { to: "ann@example.com" } };

interface Row {
  name: string;
  request: Record<string, unknown>;
  expect: (answer: any) => void;
}

const email = (a: any) => a.email[0];
const from = (a: any) => a.resolution.channels.email;

const rows: Row[] = [
  {
    name: "nothing given: tenant sender and cc, event recipients, content and params; params by key from every layer",
    request: base,
    expect: (a) => {
      expect(email(a).from).toBe("Tenant <tenant@example.gov>");
      expect(email(a).recipients).toEqual({ to: ["ann@example.com"], cc: ["records@example.gov"], bcc: ["audit@example.gov"] });
      expect(email(a).replyTo).toEqual(["reply@example.gov"]);
      // greeting: tenant email.params over tenant params; org and who: the event type over the tenant.
      expect(email(a).content.subject).toBe("S Hello Event Org");
      expect(from(a)).toMatchObject({
        provider: "system",
        "sender.from": "tenant",
        "recipients.cc": "tenant",
        "recipients.to": "event",
        "recipients.bcc": "event",
        "sender.replyTo": "event",
        "content.subject": "event",
        "params.greeting": "tenant",
        "params.org": "event",
        "params.to": "request",
      });
    },
  },
  {
    name: "request params win over the event type's and the tenant's",
    request: { ...base, params: { to: "ann@example.com", org: "Req Org", greeting: "Hey" } },
    expect: (a) => {
      expect(email(a).content.subject).toBe("S Hey Req Org");
      expect(from(a)).toMatchObject({ "params.org": "request", "params.greeting": "request" });
    },
  },
  {
    name: "a channel's own params (overrides.email.params) win over the request's top-level params",
    request: { ...base, params: { to: "ann@example.com", org: "Top" }, overrides: { email: { params: { org: "Channel" } } } },
    expect: (a) => expect(email(a).content.subject).toBe("S Hello Channel"),
  },
  {
    name: "augments.email.params merge over everything, key by key",
    request: { ...base, augments: { email: { params: { who: "augment" } } } },
    expect: (a) => {
      expect(email(a).content.body).toBe("B augment");
      expect(from(a)["params.who"]).toBe("augment");
      expect(from(a)["params.org"]).toBe("event");
    },
  },
  {
    name: "an overridden list replaces the inherited one",
    request: { ...base, overrides: { email: { recipients: { cc: ["x@example.com"] } } } },
    expect: (a) => {
      expect(email(a).recipients.cc).toEqual(["x@example.com"]);
      expect(email(a).recipients.bcc).toEqual(["audit@example.gov"]);
      expect(from(a)["recipients.cc"]).toBe("request");
    },
  },
  {
    name: "an augmented list is appended to, deduplicated after normalisation (case of the domain and local part)",
    request: { ...base, augments: { email: { recipients: { cc: ["y@example.com", "RECORDS@EXAMPLE.GOV"] } } } },
    expect: (a) => {
      expect(email(a).recipients.cc).toEqual(["records@example.gov", "y@example.com"]);
      expect(from(a)["recipients.cc"]).toBe("tenant+augment");
    },
  },
  {
    name: "objects merge down to the leaves: overriding sender.from keeps the event's sender.replyTo",
    request: { ...base, overrides: { email: { sender: { from: "Req <req@example.com>" } } } },
    expect: (a) => {
      expect(email(a).from).toBe("Req <req@example.com>");
      expect(email(a).replyTo).toEqual(["reply@example.gov"]);
      expect(from(a)).toMatchObject({ "sender.from": "request", "sender.replyTo": "event" });
    },
  },
  {
    name: "a template named in an override replaces inline content (subject and body dropped)",
    request: { ...base, overrides: { email: { content: { templateId: "TPL_B" } } } },
    expect: (a) => {
      expect(email(a).content.subject).toBe("B event");
      expect(from(a)["content.templateId"]).toBe("request");
      expect(from(a)["content.subject"]).toBeUndefined();
    },
  },
  {
    name: "inline content in an override keeps the other inline fields (same kind merges)",
    request: { ...base, overrides: { email: { content: { body: "Overridden {{who}}" } } } },
    expect: (a) => {
      expect(email(a).content).toMatchObject({ subject: "S Hello Event Org", body: "Overridden event" });
      expect(from(a)).toMatchObject({ "content.subject": "event", "content.body": "request" });
    },
  },
  {
    name: "inline content in an override replaces an inherited template",
    request: { notificationEventType: "templated", overrides: { email: { content: { subject: "Inline", body: "inline body" } } } },
    expect: (a) => {
      expect(email(a).content).toMatchObject({ subject: "Inline", body: "inline body" });
      expect(from(a)["content.templateId"]).toBeUndefined();
    },
  },
  {
    name: "content.template.templateId (the seed's form) overrides content.templateId",
    request: { notificationEventType: "templated", params: { who: "x" }, overrides: { email: { content: { template: { templateId: "TPL_B" } } } } },
    expect: (a) => expect(email(a).content.subject).toBe("B x"),
  },
  {
    name: "a channel the event type disables is not sent, and says so",
    request: base,
    expect: (a) => {
      expect(a.sms).toBeUndefined();
      expect(a.resolution.notSent).toEqual({ sms: "eventType.cascade.sms.enabled" });
    },
  },
  {
    name: "overrides.<channel>.enabled: true sends a disabled channel (its params: the event type gives the email channel's `who`, not the SMS's)",
    request: { ...base, overrides: { sms: { enabled: true } } },
    expect: (a) => {
      expect(a.sms[0]).toMatchObject({ from: "TENANT", recipients: { to: ["+17787001234"] }, content: { body: "T tenant" } });
      expect(a.resolution.channels.sms).toMatchObject({ "sender.senderId": "tenant", "recipients.to": "event", "params.who": "tenant" });
    },
  },
  {
    name: "an override can add a channel the event type lacks",
    request: { ...base, overrides: { msgApp: { target: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x" }, content: { body: "chat {{who}}" } } } },
    expect: (a) => {
      expect(a.msgApp[0].content.text).toBe("chat tenant");
      expect(a.resolution.channels.msgApp).toMatchObject({ target: "request", "params.who": "tenant" });
    },
  },
];

describe("the cascade, case by case (preview with explain=true)", () => {
  for (const row of rows) {
    it(row.name, async () => {
      const body = JSON.parse(JSON.stringify(row.request).replaceAll("TPL_B", tplB));
      const res = await preview(body);
      const answer = await json(res);
      expect(res.status, JSON.stringify(answer)).toBe(200);
      row.expect(answer);
    });
  }
});

interface Refusal {
  name: string;
  request: Record<string, unknown>;
  status: number;
  paths: string[];
}

const refusals: Refusal[] = [
  { name: "an unknown event type", request: { notificationEventType: "nope" }, status: 422, paths: ["notificationEventType"] },
  { name: "a disabled event type", request: { notificationEventType: "off" }, status: 422, paths: ["notificationEventType"] },
  { name: "changing a channel the event type disables", request: { ...base, overrides: { sms: { content: { body: "x" } } } }, status: 422, paths: ["overrides.sms"] },
  { name: "augmenting a channel the request turned off", request: { ...base, overrides: { email: {} }, augments: { email: { params: { a: 1 } } } }, status: 422, paths: ["augments.email"] },
  { name: "augmenting a channel the event type lacks", request: { ...base, augments: { msgApp: { params: { a: 1 } } } }, status: 422, paths: ["augments.msgApp"] },
  { name: "every channel turned off", request: { ...base, overrides: { email: {} } }, status: 422, paths: ["notificationEventType"] },
  {
    name: "a channel left without content: named where the event type would give it",
    request: { notificationEventType: "bare", overrides: { sms: {} } },
    status: 422,
    paths: ["eventType.bare.email.content.subject", "eventType.bare.email.content.body"],
  },
  { name: "a channel left without recipients", request: { notificationEventType: "bare", overrides: { email: {} } }, status: 422, paths: ["eventType.bare.sms.recipients.to"] },
  { name: "a missing parameter is named at the request's params", request: { notificationEventType: "cascade" }, status: 422, paths: ["params.to"] },
  { name: "a bad address from a placeholder is blamed where the placeholder lives", request: { ...base, params: { to: "not-an-address" } }, status: 422, paths: ["eventType.cascade.email.recipients.to[0]"] },
  {
    name: "augments cannot replace (only lists and params are accepted)",
    request: { ...base, augments: { email: { content: { subject: "x" } } } },
    status: 400,
    paths: ["augments.email.content"],
  },
];

describe("refusals name the field and the layer", () => {
  for (const row of refusals) {
    it(row.name, async () => {
      const res = await preview(row.request);
      const problem = await json(res);
      expect(res.status, JSON.stringify(problem)).toBe(row.status);
      expect(problem.errors.map((e: any) => e.path)).toEqual(row.paths);
    });
  }

  it("another tenant's event type is unknown (422), by code and by id", async () => {
    const other = await createTestTenant();
    const mine = await json(await asTenant(tenant, "GET", "/api/v1/notifyevent/types/cascade"));
    for (const ref of ["cascade", mine.id]) {
      const res = await asTenant(other, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: ref, params: { to: "a@example.com" } } });
      expect(res.status).toBe(422);
      expect((await json(res)).errors[0].path).toBe("notificationEventType");
    }
  });
});

describe("a stored default failing at send is blamed where it lives", () => {
  it("names tenantDefaults.email.cc[0] for a tenant default and eventType.<code>… for an event value", async () => {
    const t = await createTestTenant();
    await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body: { email: { cc: ["{{ccaddr}}"] } } });
    await created(await asTenant(t, "POST", "/api/v1/notifyevent/types", { body: { code: "x", name: "X", email: { recipients: { to: ["{{toaddr}}"] }, content: { subject: "s", body: "b" } } } }));
    const res = await asTenant(t, "POST", "/api/v1/notifyevent?preview=true", { body: { notificationEventType: "x", params: { ccaddr: "bad", toaddr: "worse" } } });
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: any) => e.path).sort()).toEqual(["eventType.x.email.recipients.to[0]", "tenantDefaults.email.cc[0]"]);
  });
});
