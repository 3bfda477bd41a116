import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { mutated, NUM_RUNS } from "./arbitraries";

const TIMEOUT = 60_000 + NUM_RUNS * 200;

// Property: whatever a client sends to the send, template and defaults routes, the answer is
// never a 5xx, a refusal is a problem document naming fields, and a refused request stores
// nothing. Each run starts from a valid request and breaks it (arbitraries.ts).

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant("Adversarial", { status: "live" });
});

const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`).bind(t.id).first<{ n: number }>())!.n;

async function expectWellFormedRefusal(res: Response, sent: unknown) {
  expect(res.status, JSON.stringify(sent).slice(0, 500)).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = await json(res);
    expect(problem.status).toBe(res.status);
    if (res.status === 400 || res.status === 422) expect(problem.errors?.length ?? 0, JSON.stringify(problem)).toBeGreaterThan(0);
  } else {
    await res.body?.cancel();
  }
}

const validSend = {
  params: { name: "Ann", amount: 10 },
  email: {
    recipients: { to: ["ann@example.com"], cc: ["{{name}}@example.com"] },
    content: { subject: "Hi {{name}}", body: "**Dear** {{name}}", bodyType: "markdown" },
    sender: { from: "Funding <funding@example.gov>" },
  },
  sms: { recipients: { to: ["+17787001234"] }, content: { body: "Hi {{name}}" }, sender: { senderId: "Funding" } },
  msgApp: { target: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x" }, content: { body: "Hi", card: { blocks: [{ type: "section", text: { type: "mrkdwn", text: "{{name}}" } }] } } },
  delayedSend: "2099-01-01T10:00:00Z",
  tags: ["a"],
};

describe("adversarial: never a 500, nothing stored when refused", () => {
  it("POST /api/v1/notifysimple (preview and send)", async () => {
    await fc.assert(
      fc.asyncProperty(mutated(validSend), fc.boolean(), async (body, preview) => {
        const before = await count("notifications");
        const res = await asTenant(t, "POST", `/api/v1/notifysimple${preview ? "?preview=true" : ""}`, { body, key: t.keys.test });
        const status = res.status;
        await expectWellFormedRefusal(res, body);
        if (preview || status !== 201) expect(await count("notifications")).toBe(before);
        else expect(await count("notifications")).toBe(before + 1);
      }),
      { numRuns: NUM_RUNS },
    );
  }, TIMEOUT);

  it("POST /api/v1/templates, then every stored template lists, reads and previews without a 500", async () => {
    const bases = [
      { name: "email", channel: "email", subject: "Hi {{name}}", body: "# {{name}}", bodyType: "markdown" },
      { name: "sms", channel: "sms", body: "Hi ((name))", renderer: "gc" },
      { name: "chat", channel: "msgApp", body: "Hi", card: { blocks: [{ text: "{{name}}" }] } },
    ];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bases).chain((b) => mutated(b)), async (body) => {
        const named = body && typeof body === "object" && !Array.isArray(body) && typeof (body as { name?: unknown }).name === "string" ? { ...(body as object), name: `t${n++}` } : body;
        const before = await count("templates");
        const res = await asTenant(t, "POST", "/api/v1/templates", { body: named });
        const status = res.status;
        const created = status === 201 ? await json(res) : null;
        if (!created) await expectWellFormedRefusal(res, named);
        expect(await count("templates")).toBe(before + (created ? 1 : 0));
        if (created) {
          const preview = await asTenant(t, "POST", `/api/v1/templates/${created.id}/preview`, { body: { params: { name: "x" } } });
          await expectWellFormedRefusal(preview, named);
          const read = await asTenant(t, "GET", `/api/v1/templates/${created.id}`);
          expect(read.status).toBe(200);
          await read.body?.cancel();
        }
        const list = await asTenant(t, "GET", "/api/v1/templates?limit=100");
        expect(list.status).toBe(200);
        await list.body?.cancel();
      }),
      { numRuns: NUM_RUNS },
    );
  }, TIMEOUT);

  it("PATCH /api/v1/tenant/defaults: refused patches change nothing, accepted ones never break a later send", async () => {
    const validDefaults = {
      defaultRegion: "CA",
      params: { team: "Funding" },
      email: { from: "Funding <funding@example.gov>", replyTo: ["help@example.gov"], cc: ["a@example.gov"] },
      sms: { senderId: "Funding" },
      msgApp: { targets: { ops: { type: "webhook", url: "https://hooks.example.com/x", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } } },
    };
    await fc.assert(
      fc.asyncProperty(mutated(validDefaults), async (body) => {
        const before = await (await asTenant(t, "GET", "/api/v1/tenant/defaults")).text();
        const res = await asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body });
        const status = res.status;
        await expectWellFormedRefusal(res, body);
        const after = await (await asTenant(t, "GET", "/api/v1/tenant/defaults")).text();
        if (status !== 200) expect(after).toBe(before);
        const send = await asTenant(t, "POST", "/api/v1/notifysimple?preview=true", { body: validSend, key: t.keys.test });
        await expectWellFormedRefusal(send, { defaults: after });
      }),
      { numRuns: NUM_RUNS },
    );
  }, TIMEOUT);
});
