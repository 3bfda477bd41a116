import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { asAdmin, json } from "../helpers/http";
import { createProviderMocks, SLACK_URL } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Chat target URLs are tenant-supplied: the outbound-URL policy refuses internal destinations when
// a URL is accepted (send requests, stored defaults) and again when a stored one is used.

const mocks = createProviderMocks();
let tenant: TestTenant;

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Outbound URLs", { status: "live" });
});
afterEach(() => mocks.reset());
afterAll(() => mocks.server.close());

const REFUSED: [string, string][] = [
  ["http://169.254.169.254/latest/meta-data/", "Must not point at a cloud metadata address (169.254.169.254)"],
  ["https://[::ffff:127.0.0.1]/hook", "Must not point at a loopback address ([::ffff:7f00:1])"],
  ["https://2130706433/hook", "Must not point at a loopback address (127.0.0.1)"],
  ["https://10.0.0.8/hook", "Must not point at a private network address (10.0.0.8)"],
  ["https://metadata.google.internal/computeMetadata/v1/", "Must not point at a cloud metadata host name (metadata.google.internal)"],
  ["http://127.0.0.1:8787/dev/sink/slack/T/B/x", "Must not point at a loopback address (127.0.0.1)"],
];

async function counts(): Promise<{ notifications: number; deliveries: number }> {
  const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = ?").bind(tenant.id).first<{ n: number }>();
  const d = await env.DB.prepare("SELECT COUNT(*) AS n FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.tenant_id = ?")
    .bind(tenant.id)
    .first<{ n: number }>();
  return { notifications: n!.n, deliveries: d!.n };
}

async function expectProblem(res: Response, errors: { path: string; message: string }[]) {
  expect(res.status).toBe(422);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const problem = await json(res);
  expect(problem.code).toBe("unprocessable");
  expect(problem.errors).toEqual(errors);
}

describe("a send with an inline chat target", () => {
  it.each(REFUSED)("422 for %s, naming the field, storing nothing", async (url, message) => {
    const before = await counts();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: { msgApp: { target: { type: "slack", url }, content: { body: "hi" } } },
    });
    await expectProblem(res, [{ path: "msgApp.target.url", message }]);
    expect(await counts()).toEqual(before);
  });

  it("names each refused target of a list, and sends none of them", async () => {
    const before = await counts();
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: {
        msgApp: {
          target: [
            { type: "slack", url: SLACK_URL },
            { type: "webhook", url: "https://[fd00:ec2::254]/" },
            { type: "teams", url: "https://user:pw@example.com/hook" },
          ],
          content: { body: "hi" },
        },
      },
    });
    await expectProblem(res, [
      { path: "msgApp.target[1].url", message: "Must not point at a cloud metadata address ([fd00:ec2::254])" },
      { path: "msgApp.target[2].url", message: "Must not contain a user name or password" },
    ]);
    expect(await counts()).toEqual(before);
    expect(mocks.captured.slack).toEqual([]);
  });

  it("refuses them in a preview too", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", {
      body: { msgApp: { target: { type: "webhook", url: "http://0x7f.1/" }, content: { body: "hi" } } },
    });
    await expectProblem(res, [{ path: "msgApp.target.url", message: "Must not point at a loopback address (127.0.0.1)" }]);
  });
});

describe("stored chat targets", () => {
  it.each(REFUSED)("PATCH /api/v1/tenant/defaults: 422 for %s, naming the field, storing nothing", async (url, message) => {
    const before = await (await asTenant(tenant, "GET", "/api/v1/tenant/defaults")).text();
    const res = await asTenant(tenant, "PATCH", "/api/v1/tenant/defaults", {
      body: { msgApp: { targets: { ops: { type: "slack", url } } } },
    });
    await expectProblem(res, [{ path: "msgApp.targets.ops.url", message }]);
    expect(await (await asTenant(tenant, "GET", "/api/v1/tenant/defaults")).text()).toBe(before);
  });

  it("the operator's PATCH /api/v1/tenants/{id} is held to the same policy", async () => {
    const res = await asAdmin("PATCH", `/api/v1/tenants/${tenant.id}`, {
      body: { settings: { msgApp: { targets: { ops: { type: "webhook", url: "https://x.internal/hook" } } } } },
    });
    await expectProblem(res, [{ path: "settings.msgApp.targets.ops.url", message: "Must not point at an internal host name (x.internal)" }]);
  });
});

/** A stored chat delivery that the queue has not been given (sent delayed, then marked queued). */
async function queuedChatDelivery(storedUrl?: string): Promise<{ notifyId: string; deliveryId: string }> {
  const delayedSend = new Date(Date.now() + 3_600_000).toISOString();
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
    body: { delayedSend, msgApp: { target: { type: "slack", url: SLACK_URL }, content: { body: "hi" } } },
  });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const row = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ?").bind(notifyId).first<{ id: string }>();
  await env.DB.batch([
    // As if the URL had been stored under another policy (or before this one existed).
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ?, payload = json_set(payload, '$.target.url', ?) WHERE id = ?").bind(
      Date.now(),
      storedUrl ?? SLACK_URL,
      row!.id,
    ),
    env.DB.prepare("UPDATE messages SET status = 'created' WHERE delivery_id = ?").bind(row!.id),
    // The notification's counts move with its messages (as the cron's release would move them).
    env.DB.prepare(
      "UPDATE notifications SET count_created = count_created + count_scheduled, count_scheduled = 0, status = 'accepted' WHERE id = ?",
    ).bind(notifyId),
  ]);
  return { notifyId, deliveryId: row!.id };
}

async function consume(deliveryId: string) {
  const batch = createMessageBatch("notify-deliver", [{ id: `msg-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { deliveryId, tenantId: tenant.id } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("at send time", () => {
  it("re-checks a stored URL: a refused one is a permanent failure with code url_refused, and nothing is fetched", async () => {
    const { notifyId, deliveryId } = await queuedChatDelivery("https://[::ffff:a9fe:a9fe]/latest/meta-data/");
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(status.status).toBe("failed");
    expect(status.messages[0]).toMatchObject({
      status: "permanent-failure",
      error: {
        code: "url_refused",
        message: "slack: the target URL is refused: Must not point at a cloud metadata address ([::ffff:a9fe:a9fe])",
        retryable: false,
      },
    });
    expect(mocks.captured.slack).toEqual([]);
  });

  it("never copies a failing target's answer into the status: HTML and secrets become the HTTP status", async () => {
    const { notifyId, deliveryId } = await queuedChatDelivery();
    const leak = '<html><body><pre>{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG"}</pre>\u0007</body></html>';
    mocks.failNext("slack", { status: 500, body: leak, headers: { "content-type": "text/html" } });
    await consume(deliveryId);
    const status = await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`));
    expect(status.messages[0].error).toMatchObject({ code: "provider_unavailable", message: "slack: HTTP 500 (https://hooks.slack.com/…)", httpStatus: 500 });
    expect(JSON.stringify(status)).not.toContain("wJalrXUtnFEMI");
    expect(JSON.stringify(status)).not.toContain("<html>");
  });
});
