import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "./client";
import { jsonInsert } from "./json-rows";
import { deliveries, type DeliveryRow, messages, type MessageRow, notifications } from "./schema";
import { createTestTenant } from "../../test/helpers/tenants";

describe("jsonInsert", () => {
  it("writes rows that read back exactly as drizzle's own insert writes them, split by size", async () => {
    const tenant = await createTestTenant("json rows");
    const db = createDb(env.DB);
    const now = new Date("2026-11-27T12:00:00.123Z");
    const notificationId = crypto.randomUUID();
    await db.insert(notifications).values({
      id: notificationId, tenantId: tenant.id, status: "accepted", keyType: "live", source: "test", correlationId: null, tags: [], channels: ["email"],
      messageCount: 0, scheduledFor: null, eventTypeCode: null, eventTypeVersion: null, resolution: null, createdAt: now, updatedAt: now,
    });
    const big = "é漢😀".repeat(150_000); // 600,000 characters (1.35 MB of UTF-8) in one payload: it takes a statement of its own
    const rows: DeliveryRow[] = [0, 1, 2].map((i) => ({
      id: crypto.randomUUID(), notificationId, tenantId: tenant.id, channel: "email", state: "queued", provider: "ses", providers: i === 1 ? ["ses", "postmark"] : null,
      payload: { subject: `Row ${i} "quoted" \\ back`, body: i === 1 ? big : "small", nested: { list: [1, null, true] } },
      providerMessageId: null, attempts: 0, leaseUntil: null, leaseToken: null, scheduledFor: i === 2 ? now : null, enqueuedAt: now,
      lastError: i === 0 ? { code: "x", message: "ünïcode", retryable: false, at: now.toISOString() } : null,
      templateId: null, templateVersion: i, createdAt: now, updatedAt: now,
    }));
    const statements = jsonInsert(env.DB, deliveries, rows);
    expect(statements.length).toBeGreaterThan(1);
    const message: MessageRow = {
      id: crypto.randomUUID(), deliveryId: rows[0]!.id, notificationId, tenantId: tenant.id, channel: "email", recipient: "ann@example.com", role: "to",
      status: "created", error: null, createdAt: now, updatedAt: now, sentAt: null, completedAt: null,
    };
    await env.DB.batch([...statements, ...jsonInsert(env.DB, messages, [message])]);
    const read = await db.select().from(deliveries).where(eq(deliveries.notificationId, notificationId));
    expect(read.sort((a, b) => a.templateVersion! - b.templateVersion!)).toEqual(rows);
    expect(await db.select().from(messages).where(eq(messages.notificationId, notificationId))).toEqual([message]);
    expect(jsonInsert(env.DB, messages, [])).toEqual([]);
  });
});
