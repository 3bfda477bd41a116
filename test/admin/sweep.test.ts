import { env } from "cloudflare:workers";
import { createScheduledController } from "cloudflare:test";
import { inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { createDb } from "../../src/db/client";
import { adminSessions, adminSignInAttempts, adminSignInLinks, adminUsers } from "../../src/db/schema";
import { sweepAdminIdentity } from "../../src/services/admin-identity/sweep";
import { createTestTenant, type TestTenant } from "../helpers/tenants";

const db = createDb(env.DB);
const HOUR = 3_600_000;

/** Rows of each kind, named by what the sweep must do with them. */
async function seed(tenant: TestTenant, now: number) {
  const tag = crypto.randomUUID();
  const userId = `user-${tag}`;
  await db.insert(adminUsers).values({ id: userId, tenantId: tenant.id, email: `${tag}@example.com`, role: "manage", createdAt: new Date(now - 48 * HOUR) });
  const session = (name: string, idle: number, absolute: number) => ({
    idHash: `${name}-${tag}`,
    kind: "user" as const,
    userId,
    tenantId: tenant.id,
    role: "manage" as const,
    createdAt: new Date(now - HOUR),
    lastSeenAt: new Date(now - HOUR),
    idleExpiresAt: new Date(now + idle),
    absoluteExpiresAt: new Date(now + absolute),
  });
  await db.insert(adminSessions).values([session("live", HOUR / 2, 11 * HOUR), session("idle", -60_000, 11 * HOUR), session("absolute", 60_000, -1)]);
  await db.insert(adminSignInLinks).values([
    { tokenHash: `fresh-${tag}`, userId, expiresAt: new Date(now + 23 * HOUR) },
    { tokenHash: `used-${tag}`, userId, expiresAt: new Date(now + 23 * HOUR), usedAt: new Date(now - 60_000) },
    { tokenHash: `expired-${tag}`, userId, expiresAt: new Date(now - 1) },
  ]);
  const minute = Math.floor(now / 60_000);
  await db.insert(adminSignInAttempts).values([
    { bucket: `${tag}:${minute}`, failures: 1, minute },
    { bucket: `${tag}:${minute - 1}`, failures: 1, minute: minute - 1 },
    { bucket: `${tag}:${minute - 2}`, failures: 3, minute: minute - 2 },
  ]);
  return {
    sessions: ["live", "idle", "absolute"].map((n) => `${n}-${tag}`),
    links: ["fresh", "used", "expired"].map((n) => `${n}-${tag}`),
    attempts: [minute, minute - 1, minute - 2].map((m) => `${tag}:${m}`),
  };
}

async function remaining(ids: Awaited<ReturnType<typeof seed>>) {
  const sessions = await db.select({ id: adminSessions.idHash }).from(adminSessions).where(inArray(adminSessions.idHash, ids.sessions));
  const links = await db.select({ id: adminSignInLinks.tokenHash }).from(adminSignInLinks).where(inArray(adminSignInLinks.tokenHash, ids.links));
  const attempts = await db.select({ id: adminSignInAttempts.bucket }).from(adminSignInAttempts).where(inArray(adminSignInAttempts.bucket, ids.attempts));
  return { sessions: sessions.map((r) => r.id.split("-")[0]), links: links.map((r) => r.id.split("-")[0]).sort(), attempts: attempts.map((r) => r.id).sort() };
}

describe("cron: admin sign-in rows nothing reads again are deleted", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant();
  });

  it("deletes expired sessions (idle or absolute), used or expired links and attempt counters older than the last minute; keeps the rest", async () => {
    const now = Date.now();
    const ids = await seed(tenant, now);
    await runScheduled(createScheduledController({ scheduledTime: now, cron: "* * * * *" }), env);
    expect(await remaining(ids)).toEqual({ sessions: ["live"], links: ["fresh"], attempts: [ids.attempts[0], ids.attempts[1]].sort() });
  });

  it("deletes at most `limit` rows of each kind a run", async () => {
    const now = Date.now();
    const ids = await seed(tenant, now);
    const first = await sweepAdminIdentity(env, new Date(now), 1);
    expect(first).toEqual({ sessions: 1, links: 1, attempts: 1 });
    // Other files' expired rows may share the table, so drain until this file's are gone.
    for (let i = 0; i < 50; i++) {
      const swept = await sweepAdminIdentity(env, new Date(now), 1);
      if (swept.sessions + swept.links + swept.attempts === 0) break;
    }
    expect(await remaining(ids)).toEqual({ sessions: ["live"], links: ["fresh"], attempts: [ids.attempts[0], ids.attempts[1]].sort() });
  });
});
