import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

/** A tenant user's role in the admin UI: the API key permission it maps onto (middleware/auth.ts). */
export const ADMIN_ROLES = ["read", "send", "manage"] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Who a session belongs to: the platform's operator, or a tenant's user. */
export const ADMIN_SESSION_KINDS = ["operator", "user"] as const;
export type AdminSessionKind = (typeof ADMIN_SESSION_KINDS)[number];

/** People who sign in to the admin UI for one tenant (services/admin-identity). */
export const adminUsers = sqliteTable(
  "admin_users",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Lower-cased, so one person is one row per tenant however the address was typed. */
    email: text("email").notNull(),
    role: text("role", { enum: ADMIN_ROLES }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastSignInAt: integer("last_sign_in_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("admin_users_tenant_email_idx").on(t.tenantId, t.email)],
);

/** One-time sign-in links emailed to tenant users; only the token's SHA-256 is stored. */
export const adminSignInLinks = sqliteTable(
  "admin_sign_in_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => adminUsers.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    /** Set by the one statement that consumes the link, so a second use finds it spent. */
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("admin_sign_in_links_user_idx").on(t.userId)],
);

/** Admin UI sessions: the cookie holds a random id, this table its SHA-256. */
export const adminSessions = sqliteTable(
  "admin_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    kind: text("kind", { enum: ADMIN_SESSION_KINDS }).notNull(),
    userId: text("user_id").references(() => adminUsers.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    /** A user's role when the session began; `manage` for operators. */
    role: text("role", { enum: ADMIN_ROLES }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    /** Moves forward with use (idle timeout), never past `absoluteExpiresAt`. */
    idleExpiresAt: integer("idle_expires_at", { mode: "timestamp_ms" }).notNull(),
    absoluteExpiresAt: integer("absolute_expires_at", { mode: "timestamp_ms" }).notNull(),
    /**
     * What an operator session was started with: `token:<fingerprint>` (the first 16 bytes of
     * the admin token's SHA-256, base64url) or `access`. A session whose credential no longer
     * holds (the token rotated) is signed out; null for users' sessions.
     */
    credential: text("credential"),
  },
  (t) => [index("admin_sessions_user_idx").on(t.userId)],
);

/**
 * Failed operator sign-ins per client and minute, so guessing the admin token is bounded
 * (services/admin-identity/attempts.ts). Old rows are deleted as new ones are written.
 */
export const adminSignInAttempts = sqliteTable("admin_sign_in_attempts", {
  /** `<client>:<minute>`: one row per client per minute. */
  bucket: text("bucket").primaryKey(),
  failures: integer("failures").notNull(),
  minute: integer("minute").notNull(),
});

/** Who changed what: every change made through the admin UI (and, as they adopt it, the API). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    /** Null for platform-wide actions (an operator's sign-in). */
    tenantId: text("tenant_id"),
    /** `operator`, `user:<id>` or `key:<id>`. */
    actor: text("actor").notNull(),
    /** A dotted verb, e.g. `admin.user.invited`. */
    action: text("action").notNull(),
    /** What it acted on, e.g. `admin_user:<id>`; empty when nothing in particular. */
    target: text("target").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_log_tenant_at_idx").on(t.tenantId, t.at)],
);

export type AdminUserRow = typeof adminUsers.$inferSelect;
export type AdminSessionRow = typeof adminSessions.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;
