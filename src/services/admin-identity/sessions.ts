import { and, count, eq, gt } from "drizzle-orm";
import { type AdminRole, type AdminSessionKind, type AdminSessionRow, adminSessions, auditLog } from "../../db/schema";
import { toBase64Url } from "../../lib/crypto/encoding";
import { sha256Hex } from "../../lib/crypto/hash";
import type { OperatorContext } from "../context";
import { auditEntry } from "./audit";

/** The session cookie. `__Host-`: Secure, Path=/ and no Domain, so no subdomain can set or read it. */
export const SESSION_COOKIE = "__Host-edge_notify_session";
/** A session not used for this long ends. */
export const SESSION_IDLE_MS = 30 * 60_000;
/** A session ends this long after sign-in however much it is used. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** Idle expiry is pushed forward at most this often, so reading pages is not a D1 write each. */
const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  kind: AdminSessionKind;
  role: AdminRole;
  userId: string | null;
  tenantId: string | null;
  /** An operator session's credential (operator.ts operatorCredential); none for users. */
  credential?: string | null;
}

/** A session as the admin UI sees it. */
export interface AdminSession extends NewSession {
  idHash: string;
  absoluteExpiresAt: Date;
}

/**
 * Starts a session and returns the cookie's value (the only place the raw id exists). When
 * `replacing` names the caller's current session, it ends in the same batch: a sign-in always
 * gets a new id, so an id planted before sign-in (session fixation) is worth nothing.
 *
 * @example
 * ```ts
 * const { id } = await createSession(ctx, { kind: "operator", role: "manage", userId: null, tenantId: null }, oldCookie);
 * ```
 */
export async function createSession(ctx: Pick<OperatorContext, "db" | "now">, session: NewSession, replacing?: string): Promise<{ id: string; expiresAt: Date }> {
  const id = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const now = ctx.now.getTime();
  const absoluteExpiresAt = new Date(now + SESSION_ABSOLUTE_MS);
  const insert = ctx.db.insert(adminSessions).values({
    idHash: await sha256Hex(id),
    ...session,
    createdAt: ctx.now,
    lastSeenAt: ctx.now,
    idleExpiresAt: new Date(now + SESSION_IDLE_MS),
    absoluteExpiresAt,
  });
  if (replacing) await ctx.db.batch([ctx.db.delete(adminSessions).where(eq(adminSessions.idHash, await sha256Hex(replacing))), insert]);
  else await insert;
  return { id, expiresAt: absoluteExpiresAt };
}

/**
 * The live session a cookie names, or null (unknown, idle too long, or past its absolute end).
 * Using it moves its idle expiry forward, never past the absolute one.
 */
export async function loadSession(ctx: Pick<OperatorContext, "db" | "now">, id: string | undefined): Promise<AdminSession | null> {
  // Our ids are 43 base64url characters; anything else is not worth a query.
  if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
  const idHash = await sha256Hex(id);
  const row: AdminSessionRow | undefined = await ctx.db
    .select()
    .from(adminSessions)
    .where(and(eq(adminSessions.idHash, idHash), gt(adminSessions.idleExpiresAt, ctx.now), gt(adminSessions.absoluteExpiresAt, ctx.now)))
    .get();
  if (!row) return null;
  const now = ctx.now.getTime();
  if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    const idle = Math.min(now + SESSION_IDLE_MS, row.absoluteExpiresAt.getTime());
    await ctx.db.update(adminSessions).set({ lastSeenAt: ctx.now, idleExpiresAt: new Date(idle) }).where(eq(adminSessions.idHash, idHash));
  }
  return { idHash, kind: row.kind, role: row.role, userId: row.userId, tenantId: row.tenantId, credential: row.credential, absoluteExpiresAt: row.absoluteExpiresAt };
}

/**
 * Ends every operator session, the caller's own included (a token that may have leaked, a
 * laptop left signed in), audited `admin.operator.sessions_ended` with how many ended, in one
 * batch. Users' sessions go on.
 *
 * @example
 * ```ts
 * const ended = await endOperatorSessions({ db, now, actor: "operator" });
 * ```
 */
export async function endOperatorSessions(ctx: Pick<OperatorContext, "db" | "now"> & { actor?: string }): Promise<number> {
  const [ended] = await ctx.db.batch([
    ctx.db.delete(adminSessions).where(eq(adminSessions.kind, "operator")).returning({ idHash: adminSessions.idHash }),
    ctx.db.insert(auditLog).values(auditEntry(ctx, "admin.operator.sessions_ended", "", undefined, { tenantId: null })),
  ]);
  return ended.length;
}

/** How many operator sessions are live now (the sign-out-everywhere page says so). */
export async function countOperatorSessions(ctx: Pick<OperatorContext, "db" | "now">): Promise<number> {
  const row = await ctx.db
    .select({ n: count() })
    .from(adminSessions)
    .where(and(eq(adminSessions.kind, "operator"), gt(adminSessions.idleExpiresAt, ctx.now), gt(adminSessions.absoluteExpiresAt, ctx.now)))
    .get();
  return row?.n ?? 0;
}

/** Ends the session a cookie names (sign-out); unknown ids are ignored. */
export async function endSession(ctx: Pick<OperatorContext, "db">, id: string | undefined): Promise<void> {
  if (!id) return;
  await ctx.db.delete(adminSessions).where(eq(adminSessions.idHash, await sha256Hex(id)));
}
