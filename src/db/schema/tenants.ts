import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

export type TenantStatus = "trial" | "live";

/** Per-tenant limits; absent fields fall back to the system defaults in services/tenants/limits.ts. */
export interface TenantLimits {
  /** Send requests per minute (token bucket refilled continuously). */
  requestsPerMinute?: number;
  /** Messages per UTC day, per channel. */
  dailyEmail?: number;
  dailySms?: number;
  dailyMsgApp?: number;
}

export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  status: text("status", { enum: ["trial", "live"] }).notNull().default("trial"),
  limits: text("limits", { mode: "json" }).$type<TenantLimits>().notNull().default({}),
  /** Tenant defaults (second layer of the cascade); shape owned by services/tenants/settings.ts. */
  settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  /**
   * Copies of the default reply-to address's email and the default SMS sender's sender
   * (senders.ts, `is_default = 1`), written in the same D1 batch that sets, clears or deletes
   * the default: the send path already reads this row (and caches it), so a send applies the
   * default without another query. Null when the tenant has no default.
   */
  defaultReplyTo: text("default_reply_to"),
  defaultSmsSender: text("default_sms_sender"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export type TenantRow = typeof tenants.$inferSelect;
