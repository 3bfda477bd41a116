import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { delay, http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// An attachment service renders a document when the email is delivered (the queue consumer),
// before the provider is called. Its failure is the message's technical-failure, naming the
// service and saying whether a retry may help; retryable ones go back to the queue first.

const DOCS_URL = "https://docs.example.gov/render";
const PDF = new TextEncoder().encode("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
const mocks = createProviderMocks();
let tenant: TestTenant;
const received: { body: any; auth: string | null }[] = [];
let answer: () => Promise<Response> | Response;
const pdf = (headers: Record<string, string> = {}) => () => new HttpResponse(PDF, { headers: { "content-type": "application/pdf", ...headers } });

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  mocks.server.use(
    http.post(DOCS_URL, async ({ request }) => {
      received.push({ body: await request.json(), auth: request.headers.get("x-docs-key") });
      return answer();
    }),
  );
  tenant = await createTestTenant("Attachment calls");
  for (const [name, extra] of [
    ["letter", { filename: "letter.pdf" }],
    ["slow", { timeoutMs: 200, filename: "slow.pdf" }],
  ] as const) {
    const res = await asTenant(tenant, "POST", "/api/v1/service/attachments", {
      body: { name, url: DOCS_URL, authHeader: { name: "X-Docs-Key", value: "docs-secret" }, requestMapping: ["applicationId", "program"], ...extra },
    });
    expect(res.status).toBe(201);
  }
});
afterEach(() => {
  mocks.reset();
  received.length = 0;
});
afterAll(() => mocks.server.close());

const send = (attachment: Record<string, unknown> = { service: "letter" }) => ({
  params: { applicationId: 42, program: "Small Business Fund", unrelated: "not passed" },
  email: { recipients: { to: ["ada@example.com"] }, content: { subject: "Approved", body: "See the letter" }, attachments: [attachment] },
});

/** A stored email delivery the real queue has not been given (sent delayed, then marked queued). */
async function queued(body: object = send(), attempts = 0): Promise<{ notifyId: string; deliveryId: string }> {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: { ...body, delayedSend: new Date(Date.now() + 3_600_000).toISOString() } });
  expect(res.status).toBe(201);
  const { notifyId } = await json(res);
  const row = await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ?").bind(notifyId).first<{ id: string }>();
  await env.DB.batch([
    env.DB.prepare("UPDATE deliveries SET state = 'queued', enqueued_at = ?, attempts = ? WHERE id = ?").bind(Date.now(), attempts, row!.id),
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
  const delays: (number | undefined)[] = [];
  const message = batch.messages[0]!;
  const retry = message.retry.bind(message);
  message.retry = (options?: QueueRetryOptions) => {
    delays.push(options?.delaySeconds);
    retry(options);
  };
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

const messageOf = async (notifyId: string) => (await json(await asTenant(tenant, "GET", `/api/v1/notify/${notifyId}`))).messages[0];

describe("success", () => {
  it("the preview shows the reference and the mapped params; nothing is called", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple?preview=true", { body: send({ service: "letter", filename: "approval-42.pdf" }) });
    expect(res.status).toBe(200);
    expect((await json(res)).email[0].serviceAttachments).toEqual([
      { service: "letter", serviceId: expect.any(String), request: { params: { applicationId: 42, program: "Small Business Fund" }, filename: "approval-42.pdf" } },
    ]);
    expect(received).toEqual([]);
  });

  it("the document arrives at the email provider as a MIME attachment", async () => {
    answer = pdf({ "content-disposition": 'attachment; filename="approval.pdf"' });
    const { notifyId, deliveryId } = await queued(send({ service: "letter", params: { program: "Override" } }));
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toHaveLength(1);
    expect(received).toEqual([{ body: { params: { applicationId: 42, program: "Override" } }, auth: "docs-secret" }]);
    expect(mocks.captured.ses).toHaveLength(1);
    const [attachment] = mocks.captured.ses[0]!.mime.attachments;
    expect(attachment).toMatchObject({ filename: "approval.pdf", mimeType: "application/pdf" });
    expect(new Uint8Array(attachment!.content as ArrayBuffer)).toEqual(PDF);
    expect(await messageOf(notifyId)).toMatchObject({ status: "delivered", error: null });
  });

  it("without a name from the send or the answer, the service's filename is used", async () => {
    answer = pdf();
    const { deliveryId } = await queued();
    await consume(deliveryId);
    expect(mocks.captured.ses[0]!.mime.attachments[0]).toMatchObject({ filename: "letter.pdf" });
  });
});

describe("refused when the send is planned", () => {
  it("422 for an unknown service, and for content given with a service", async () => {
    const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: send({ service: "nope" }) });
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ path: "email.attachments[0].service", message: 'No attachment service named "nope"' }]);
    const bad = await asTenant(tenant, "POST", "/api/v1/notifysimple", { body: send({ service: "letter", content: "JVBERi0=" }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors).toEqual([{ path: "email.attachments[0].content", message: "Not with service: the attachment service supplies the document" }]);
  });
});

describe("failures at delivery", () => {
  const permanent: [string, () => Promise<Response> | Response, string][] = [
    ["a 4xx", () => HttpResponse.json({ error: "bad" }, { status: 400 }), "HTTP 400"],
    ["an answer over 5 MB", () => new HttpResponse(new Uint8Array(5 * 1024 * 1024 + 10).fill(0x25), { headers: { "content-type": "application/pdf" } }), "the answer is larger than 5242880 bytes"],
    ["an answer that is not a document", () => new HttpResponse("<html>error page</html>", { headers: { "content-type": "text/html" } }), "the answer's type text/html is not an allowed attachment type"],
    ["an executable declared as a PDF", () => new HttpResponse(Uint8Array.of(0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0), { headers: { "content-type": "application/pdf" } }), "the document: The content is a Windows executable (MZ); executables cannot be attached"],
    ["a PDF named .exe", pdf({ "content-disposition": "attachment; filename=run.exe" }), "file name \"run.exe\": .exe files cannot be attached"],
  ];

  it.each(permanent)("%s: technical-failure, not retried, nothing sent", async (_, reply, reason) => {
    answer = reply;
    const { notifyId, deliveryId } = await queued();
    // The .exe case: no configured filename, so the answer's Content-Disposition names the file.
    if (reason.includes("run.exe")) await env.DB.prepare("UPDATE tenant_services SET config = json_remove(config, '$.filename') WHERE tenant_id = ? AND name = 'letter'").bind(tenant.id).run();
    const result = await consume(deliveryId);
    if (reason.includes("run.exe")) await env.DB.prepare("UPDATE tenant_services SET config = json_set(config, '$.filename', 'letter.pdf') WHERE tenant_id = ? AND name = 'letter'").bind(tenant.id).run();
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    const message = await messageOf(notifyId);
    expect(message).toMatchObject({ status: "technical-failure", error: { code: "attachment_service_failed", retryable: false } });
    expect(message.error.message).toBe(`attachment service "letter": ${reason} (permanent: the service or its configuration must be fixed)`);
    expect(JSON.stringify(message)).not.toContain("error page");
    expect(mocks.captured.ses).toEqual([]);
  });

  it("a 5xx is retried with backoff; on the last attempt it is a technical-failure that says a retry may help", async () => {
    answer = () => HttpResponse.json({}, { status: 503 });
    const first = await queued();
    const result = await consume(first.deliveryId);
    expect(result.retryMessages).toHaveLength(1);
    expect(await messageOf(first.notifyId)).toMatchObject({
      status: "sending",
      error: { code: "attachment_service_unavailable", retryable: true, httpStatus: 503, message: 'attachment service "letter": HTTP 503 (temporary: a retry may help)' },
    });

    const last = await queued(send(), 4);
    const final = await consume(last.deliveryId);
    expect(final.explicitAcks).toHaveLength(1);
    expect(await messageOf(last.notifyId)).toMatchObject({
      status: "technical-failure",
      attempts: 5,
      error: { code: "attachment_service_unavailable", retryable: true, message: 'attachment service "letter": HTTP 503 (temporary: a retry may help); gave up after 5 attempts' },
    });
    expect(mocks.captured.ses).toEqual([]);
  });

  it("a 429 honours Retry-After", async () => {
    answer = () => HttpResponse.json({}, { status: 429, headers: { "retry-after": "120" } });
    const { deliveryId } = await queued();
    const result = await consume(deliveryId);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays[0]).toBeGreaterThanOrEqual(120);
  });

  it("a timeout is retried (nothing was sent to the provider, so asking again is safe)", async () => {
    answer = async () => {
      await delay("infinite");
      return pdf()();
    };
    const { notifyId, deliveryId } = await queued(send({ service: "slow" }));
    const result = await consume(deliveryId);
    expect(result.retryMessages).toHaveLength(1);
    expect((await messageOf(notifyId)).error).toMatchObject({ code: "attachment_service_unavailable", retryable: true, message: 'attachment service "slow": no answer within 200 ms (temporary: a retry may help)' });
  });

  it("a URL stored before a policy change is refused and never fetched", async () => {
    const created = await json(await asTenant(tenant, "POST", "/api/v1/service/attachments", { body: { name: "legacy", url: DOCS_URL, filename: "x.pdf" } }));
    const { notifyId, deliveryId } = await queued(send({ service: "legacy" }));
    await env.DB.prepare("UPDATE tenant_services SET url = ? WHERE id = ?").bind("https://[::ffff:10.0.0.1]/render", created.id).run();
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toHaveLength(1);
    const message = await messageOf(notifyId);
    expect(message).toMatchObject({ status: "technical-failure", error: { code: "attachment_service_failed", retryable: false } });
    expect(message.error.message).toMatch(/^attachment service "legacy": its URL is refused: Must not point at a private network address/);
    expect(received).toEqual([]);
  });

  it("a service deleted after the send is a permanent failure", async () => {
    const created = await json(await asTenant(tenant, "POST", "/api/v1/service/attachments", { body: { name: "gone", url: DOCS_URL, filename: "x.pdf" } }));
    const { notifyId, deliveryId } = await queued(send({ service: "gone" }));
    expect((await asTenant(tenant, "DELETE", `/api/v1/service/attachments/${created.id}`)).status).toBe(204);
    await consume(deliveryId);
    expect((await messageOf(notifyId)).error).toMatchObject({ code: "attachment_service_failed", message: 'attachment service "gone": the service no longer exists (permanent: the service or its configuration must be fixed)' });
  });
});
