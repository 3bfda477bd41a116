import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { applyReceipts, MAX_RECEIPTS_PER_CALL, type Receipt } from "./apply";
import { suppressOnOf } from "./suppress-on";

/** A live tenant with one email to two recipients, `sending` and accepted by SES as `pmid`. */
async function sendingEmail(pmid: string): Promise<{ notificationId: string }> {
  const tenantId = crypto.randomUUID();
  const notificationId = crypto.randomUUID();
  const deliveryId = crypto.randomUUID();
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO tenants (id, name, status, limits, settings, created_at, updated_at) VALUES (?, 'T', 'live', '{}', '{}', ?, ?)").bind(tenantId, now, now),
    env.DB.prepare(
      "INSERT INTO notifications (id, tenant_id, status, key_type, source, tags, channels, message_count, count_sending, created_at, updated_at) VALUES (?, ?, 'sending', 'live', 'simple', '[]', '[\"email\"]', 2, 2, ?, ?)",
    ).bind(notificationId, tenantId, now, now),
    env.DB.prepare("INSERT INTO deliveries (id, notification_id, tenant_id, channel, state, provider, payload, provider_message_id, created_at, updated_at) VALUES (?, ?, ?, 'email', 'done', 'ses', '{}', ?, ?, ?)").bind(
      deliveryId,
      notificationId,
      tenantId,
      pmid,
      now,
      now,
    ),
    ...["a@example.com", "b@example.com"].map((r) =>
      env.DB.prepare("INSERT INTO messages (id, delivery_id, notification_id, tenant_id, channel, recipient, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'email', ?, 'to', 'sending', ?, ?)").bind(
        crypto.randomUUID(),
        deliveryId,
        notificationId,
        tenantId,
        r,
        now,
        now,
      ),
    ),
  ]);
  return { notificationId };
}

const statuses = async (notificationId: string) =>
  Object.fromEntries(
    (await env.DB.prepare("SELECT recipient, status FROM messages WHERE notification_id = ?").bind(notificationId).all<{ recipient: string; status: string }>()).results.map((r) => [r.recipient, r.status]),
  );

describe("applyReceipts", () => {
  it("applies one call's receipts in the provider's order, whatever order they came in, and counts the rest as ignored", async () => {
    const { notificationId } = await sendingEmail("pm-order");
    const r = (status: Receipt["status"], at: number, recipient: string): Receipt => ({ provider: "ses", providerMessageId: "pm-order", recipient, status, at: new Date(at), detail: status });
    // The bounce happened after the delivery notice: it wins even though it is listed first.
    const result = await applyReceipts(env, [r("permanent-failure", 2_000, "a@example.com"), r("delivered", 1_000, "a@example.com"), r("delivered", 1_000, "B@EXAMPLE.COM")]);
    expect(result).toEqual({ applied: 3, ignored: 0 });
    expect(await statuses(notificationId)).toEqual({ "a@example.com": "permanent-failure", "b@example.com": "delivered" });
    const counts = await env.DB.prepare("SELECT status, count_sending, count_delivered, count_permanent_failure FROM notifications WHERE id = ?").bind(notificationId).first();
    expect(counts).toEqual({ status: "partially-failed", count_sending: 0, count_delivered: 1, count_permanent_failure: 1 });
  });

  it("takes the same event once, and ignores unknown ids and other providers' ids", async () => {
    const { notificationId } = await sendingEmail("pm-dup");
    const receipt: Receipt = { provider: "ses", providerMessageId: "pm-dup", recipient: "a@example.com", status: "delivered", at: new Date(), detail: "d", eventId: "e1" };
    expect(await applyReceipts(env, [receipt, { ...receipt }])).toEqual({ applied: 1, ignored: 1 });
    expect(await applyReceipts(env, [{ ...receipt, provider: "sendgrid", recipient: "b@example.com" }, { ...receipt, providerMessageId: "nope" }])).toEqual({ applied: 0, ignored: 2 });
    expect(await statuses(notificationId)).toEqual({ "a@example.com": "delivered", "b@example.com": "sending" });
  });

  it("is bounded", async () => {
    const many = Array.from({ length: MAX_RECEIPTS_PER_CALL + 1 }, (): Receipt => ({ provider: "ses", providerMessageId: "x", status: "delivered", at: new Date(), detail: "" }));
    await expect(applyReceipts(env, many)).rejects.toThrow(RangeError);
  });
});

describe("suppressOnOf", () => {
  it("fills in the defaults: complaints suppress, bounces do not", () => {
    expect(suppressOnOf(null)).toEqual({ complaint: true, bounce: false });
    expect(suppressOnOf('{"suppressOn":{"bounce":true}}')).toEqual({ complaint: true, bounce: true });
    expect(suppressOnOf({ suppressOn: { complaint: false } })).toEqual({ complaint: false, bounce: false });
    expect(suppressOnOf("not json")).toEqual({ complaint: true, bounce: false });
  });
});
