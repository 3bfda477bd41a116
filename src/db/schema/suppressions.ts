import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { CHANNELS } from "./templates";
import { tenants } from "./tenants";

/** How a recipient came to be suppressed. */
export const SUPPRESSION_SOURCES = ["api", "unsubscribe", "provider"] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

/**
 * A tenant's suppression list per channel: recipients (normalised as at send time) that are
 * removed when a notification is resolved.
 */
export const suppressions = sqliteTable(
  "suppressions",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    recipient: text("recipient").notNull(),
    reason: text("reason").notNull(),
    source: text("source", { enum: SUPPRESSION_SOURCES }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("suppressions_tenant_recipient_idx").on(t.tenantId, t.channel, t.recipient),
    index("suppressions_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export type SuppressionRow = typeof suppressions.$inferSelect;
