import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTestTenant } from "../helpers/tenants";

/**
 * Migration 0004 adds the count_* columns (every test run applies it) and fills them for the
 * notifications that already exist. Here rows are written as before the migration (no counts,
 * so the columns hold their default 0) and the migration's backfill statement is run on them.
 */
describe("migration 0004 backfills the counts of existing notifications", () => {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0004_"))!;
  const backfill = migration.queries.filter((q) => !/ALTER TABLE/i.test(q));

  it("from the messages each notification already has", async () => {
    expect(backfill).toHaveLength(1);
    const tenant = await createTestTenant("Backfill");
    const now = Date.now();
    const oldNotification = (id: string, status: string, count: number) =>
      env.DB.prepare(
        `INSERT INTO notifications (id, tenant_id, status, key_type, source, tags, channels, message_count, created_at, updated_at)
         VALUES (?, ?, ?, 'live', 'simple', '[]', '["email"]', ?, ?, ?)`,
      ).bind(id, tenant.id, status, count, now, now);
    const delivery = (id: string, notificationId: string, state: string) =>
      env.DB.prepare(
        `INSERT INTO deliveries (id, notification_id, tenant_id, channel, state, provider, payload, created_at, updated_at)
         VALUES (?, ?, ?, 'email', ?, 'ses', '{}', ?, ?)`,
      ).bind(id, notificationId, tenant.id, state, now, now);
    const message = (notificationId: string, deliveryId: string, status: string) =>
      env.DB.prepare(
        `INSERT INTO messages (id, delivery_id, notification_id, tenant_id, channel, recipient, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'email', ?, ?, ?, ?)`,
      ).bind(crypto.randomUUID(), deliveryId, notificationId, tenant.id, `${crypto.randomUUID()}@example.com`, status, now, now);

    const [mixed, finished, d1, d2, d3] = Array.from({ length: 5 }, () => crypto.randomUUID());
    await env.DB.batch([
      oldNotification(mixed!, "sending", 6),
      delivery(d1!, mixed!, "done"),
      delivery(d2!, mixed!, "retry_wait"),
      message(mixed!, d1!, "delivered"),
      message(mixed!, d1!, "delivered"),
      message(mixed!, d1!, "permanent-failure"),
      message(mixed!, d2!, "sending"),
      message(mixed!, d2!, "sending"),
      message(mixed!, d2!, "technical-failure"),
      oldNotification(finished!, "cancelled", 1),
      delivery(d3!, finished!, "cancelled"),
      message(finished!, d3!, "cancelled"),
    ]);
    const counts = (id: string) =>
      env.DB.prepare(
        `SELECT status, count_scheduled, count_created, count_sending, count_delivered, count_permanent_failure,
                count_temporary_failure, count_technical_failure, count_cancelled FROM notifications WHERE id = ?`,
      )
        .bind(id)
        .first();
    const zero = {
      count_scheduled: 0,
      count_created: 0,
      count_sending: 0,
      count_delivered: 0,
      count_permanent_failure: 0,
      count_temporary_failure: 0,
      count_technical_failure: 0,
      count_cancelled: 0,
    };
    expect(await counts(mixed!)).toEqual({ status: "sending", ...zero });

    await env.DB.batch(backfill.map((q) => env.DB.prepare(q)));

    expect(await counts(mixed!)).toEqual({ ...zero, status: "sending", count_delivered: 2, count_permanent_failure: 1, count_sending: 2, count_technical_failure: 1 });
    expect(await counts(finished!)).toEqual({ ...zero, status: "cancelled", count_cancelled: 1 });
  });
});
