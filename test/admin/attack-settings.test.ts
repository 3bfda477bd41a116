import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { auditLog, callbacks } from "../../src/db/schema";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, postForm, userSession } from "./helpers";

// Hostile and careless clients against Settings: status callbacks, tenant defaults (issue 13 attack pass).
const db = createDb(env.DB);
let tenant: TestTenant;
let manager: string;

beforeAll(async () => {
  tenant = await createTestTenant("Callbacks attack tenant");
  manager = await userSession(tenant, "manage");
});

const rowsFor = (url: string) => db.select().from(callbacks).where(and(eq(callbacks.tenantId, tenant.id), eq(callbacks.url, url))).all();

describe("admin UI attack: status callbacks", () => {
  it("the add form posted 20 times at once registers one callback, whose secret was shown; the others are told at the URL field", async () => {
    const url = "https://double-submit.example.com/status";
    const results = await Promise.all(Array.from({ length: 20 }, () => postForm("/admin/settings/callbacks", { url, channelType: "email", trigger: "failure" }, { cookie: manager })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(19);
    const refused = await results.find((r) => r.status === 422)!.text();
    expect(refused).toContain("Already has a status callback");
    expect(refused).toMatch(/href="#url"/);
    expect(await rowsFor(url)).toHaveLength(1);
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "callback.created"))).all();
    expect(audited.filter((a) => JSON.stringify(a).includes("double-submit"))).toHaveLength(1);
    // The API keeps its rules: another registration of the same URL there is still allowed.
    const api = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url, channelType: ["sms"], trigger: ["success"] } });
    expect(api.status).toBe(201);
  });

  it.each([
    ["NUL", "Case\u0000system"],
    ["a right-to-left override", "Case \u202Emetsys"],
    ["a line break", "Case\nsystem"],
    ["a byte order mark", "Case\uFEFF system"],
  ])("a description with %s is refused at its field, in the form and in the API, and nothing is stored", async (_, description) => {
    const url = `https://unsafe-description.example.com/${encodeURIComponent(description.length.toString())}-${Math.random().toString(36).slice(2)}`;
    const res = await postForm("/admin/settings/callbacks", { url, channelType: "email", trigger: "failure", description }, { cookie: manager });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/href="#description"/);
    expect(html).toContain("Must not contain control characters");
    const api = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url, channelType: ["email"], trigger: ["failure"], description } });
    expect(api.status).toBe(422);
    expect(JSON.stringify(await api.json())).toContain('"path":"description"');
    expect(await rowsFor(url)).toHaveLength(0);
    // Nothing of it reaches the list page either.
    expect(await (await getPage("/admin/settings/callbacks", manager)).text()).not.toContain(url);
  });

  it.each([
    ["NUL", "https://unsafe-url.example.com/a\u0000b"],
    ["a line break", "https://unsafe-url.example.com/a\nb"],
    ["a right-to-left override", "https://unsafe-url.example.com/\u202Etxt.exe"],
    ["an isolate", "https://unsafe-url.example.com/?q=\u2066x"],
  ])("a URL with %s (kept and shown as typed) is refused at its field, in the form and in the API", async (_, url) => {
    const res = await postForm("/admin/settings/callbacks", { url, channelType: "email", trigger: "failure" }, { cookie: manager });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/href="#url"/);
    expect(html).toContain("Must not contain control characters");
    const api = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", { body: { url, channelType: ["email"], trigger: ["failure"] } });
    expect(api.status).toBe(422);
    expect(await rowsFor(url)).toHaveLength(0);
  });

  it("a description with emoji and joiners (no controls) is kept as typed", async () => {
    const url = "https://joiners.example.com/status";
    const res = await postForm("/admin/settings/callbacks", { url, channelType: "email", trigger: "failure", description: "Team 👩‍👩‍👧 feed" }, { cookie: manager });
    expect(res.status).toBe(200);
    expect((await rowsFor(url))[0]?.description).toBe("Team 👩‍👩‍👧 feed");
  });
});

describe("admin UI attack: tenant defaults", () => {
  it("a defaults form opened before someone else saved does not silently undo their change; saving again from the refused page does", async () => {
    const shownOf = (html: string) => /<input type="hidden" name="shown" value="([0-9a-f]{64})"/.exec(html)![1]!;
    const opened = shownOf(await (await getPage("/admin/settings/defaults/edit", manager)).text());
    const first = await postForm("/admin/settings/defaults", { emailFrom: "First <first@example.com>", smsSenderId: "", shown: opened }, { cookie: manager });
    expect(first.status).toBe(303);
    // The second form was opened at the same time: it still shows no sender id and the old from.
    const second = await postForm("/admin/settings/defaults", { emailFrom: "", smsSenderId: "SECOND", shown: opened }, { cookie: manager });
    expect(second.status).toBe(409);
    const html = await second.text();
    expect(html).toContain("Someone else changed these defaults after you opened this form");
    expect(html).toContain('value="SECOND"');
    type Defaults = { email?: { from?: string }; sms?: { senderId?: string } };
    let defaults = await (await asTenant(tenant, "GET", "/api/v1/tenant/defaults")).json<Defaults>();
    expect(defaults.email?.from).toBe("First <first@example.com>");
    expect(defaults.sms?.senderId).toBeUndefined();
    const retried = await postForm("/admin/settings/defaults", { emailFrom: "", smsSenderId: "SECOND", shown: shownOf(html) }, { cookie: manager });
    expect(retried.status).toBe(303);
    defaults = await (await asTenant(tenant, "GET", "/api/v1/tenant/defaults")).json<Defaults>();
    expect(defaults.sms?.senderId).toBe("SECOND");
  });
});
