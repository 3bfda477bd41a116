import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { createDb } from "../../src/db/client";
import { receivedTexts } from "../../src/db/schema";
import type { Env } from "../../src/env";
import { uuidv7 } from "../../src/lib/ids";
import { receivedTextRetentionDays, SWEEP_RECEIVED_TEXTS, sweepReceivedTexts } from "../../src/services/received-texts/retention";
import { json } from "../helpers/http";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

const db = createDb(env.DB);
const DAY = 86_400_000;

/** Stores one received text for the tenant, received at `at` (ms), and answers its id. */
async function received(tenant: TestTenant, at: number): Promise<string> {
  const id = uuidv7(at);
  await db.insert(receivedTexts).values({
    id,
    tenantId: tenant.id,
    notifyNumber: "+447700900000",
    userNumber: "+447700900123",
    content: `text of ${new Date(at).toISOString()}`,
    provider: "twilio",
    providerMessageId: `SM${crypto.randomUUID().replaceAll("-", "")}`,
    createdAt: new Date(at),
  });
  return id;
}

async function remaining(ids: string[]): Promise<string[]> {
  const rows = await db.select({ id: receivedTexts.id }).from(receivedTexts).where(inArray(receivedTexts.id, ids));
  return rows.map((r) => r.id).sort();
}

describe("cron: received texts older than the retention are deleted", () => {
  let tenant: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    [tenant, other] = await Promise.all([createTestTenant(), createTestTenant()]);
  });

  it("deletes every tenant's texts older than 7 days and keeps younger ones, theirs and other tenants'", async () => {
    const now = Date.now();
    const old = [await received(tenant, now - 8 * DAY), await received(tenant, now - 7 * DAY - 60_000), await received(other, now - 30 * DAY)];
    const recent = [await received(tenant, now - 7 * DAY + 60_000), await received(tenant, now - 60_000), await received(other, now - 6 * DAY)];
    await runScheduled(createScheduledController({ scheduledTime: now, cron: "* * * * *" }), env);
    expect(await remaining([...old, ...recent])).toEqual([...recent].sort());

    // The tenant's own list shows what is left, newest first.
    const res = await asTenant(tenant, "GET", "/api/v1/tenant/received-texts");
    expect(res.status).toBe(200);
    const page = await json<{ items: { id: string }[] }>(res);
    expect(page.items.map((t) => t.id)).toEqual([recent[1], recent[0]]);
  });

  it("deletes at most `limit` texts a run, oldest first, and the rest on the following runs", async () => {
    // Older than anything another test stores, so these are the oldest in the table.
    const base = Date.UTC(2001, 0, 1);
    const ids = [await received(tenant, base), await received(other, base + 1_000), await received(tenant, base + 2_000)];
    const now = new Date();
    expect(await sweepReceivedTexts(env, now, 2)).toBe(2);
    expect(await remaining(ids)).toEqual([ids[2]]);
    expect(await sweepReceivedTexts(env, now, 2)).toBeGreaterThanOrEqual(1);
    expect(await remaining(ids)).toEqual([]);
  });

  it("reads the created_at index from its oldest entry, not the whole table", async () => {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${SWEEP_RECEIVED_TEXTS}`).bind(Date.now(), 500).all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail);
    expect(details).toContain("SEARCH received_texts USING COVERING INDEX received_texts_created_idx (created_at<?)");
    expect(details).toContain("SEARCH received_texts USING INTEGER PRIMARY KEY (rowid=?)");
    expect(details.filter((d) => d.startsWith("SCAN") || d.includes("TEMP B-TREE"))).toEqual([]);
  });

  it("keeps texts younger than RECEIVED_TEXT_RETENTION_DAYS when it is set", async () => {
    const now = Date.now();
    const kept = await received(tenant, now - 20 * DAY);
    const gone = await received(other, now - 31 * DAY);
    const configured = { ...env, RECEIVED_TEXT_RETENTION_DAYS: "30" } as Env;
    await runScheduled(createScheduledController({ scheduledTime: now, cron: "* * * * *" }), configured);
    expect(await remaining([kept, gone])).toEqual([kept]);
  });

  it("deletes nothing when RECEIVED_TEXT_RETENTION_DAYS is not a whole number of days from 1 to 36500", async () => {
    const now = Date.now();
    const old = await received(tenant, now - 400 * DAY);
    for (const value of ["0", "-7", "7.5", "a week", "36501"]) {
      expect(await sweepReceivedTexts({ DB: env.DB, RECEIVED_TEXT_RETENTION_DAYS: value }, new Date(now))).toBe(0);
    }
    expect(await remaining([old])).toEqual([old]);
    expect(await sweepReceivedTexts({ DB: env.DB, RECEIVED_TEXT_RETENTION_DAYS: " 365 " }, new Date(now))).toBeGreaterThanOrEqual(1);
    expect(await remaining([old])).toEqual([]);
  });
});

describe("receivedTextRetentionDays", () => {
  it("is 7 unset or empty, the configured whole days from 1 to 36500, else null", () => {
    expect(receivedTextRetentionDays({})).toBe(7);
    expect(receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "" })).toBe(7);
    expect(receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "1" })).toBe(1);
    expect(receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "36500" })).toBe(36_500);
    expect(receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "0" })).toBeNull();
    expect(receivedTextRetentionDays({ RECEIVED_TEXT_RETENTION_DAYS: "1e3" })).toBeNull();
  });
});
