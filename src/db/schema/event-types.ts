import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

/**
 * Notification event types: the third layer of the System → Tenant → Event → Request cascade.
 * Addressed by id or by `code` (unique per tenant among live ones). Every edit is a new version,
 * and a notification records the version it resolved, as with templates.
 */
export const eventTypes = sqliteTable(
  "event_types",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    currentVersion: integer("current_version").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /** Soft delete: notifications that recorded a version can still be explained. */
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("event_types_tenant_code_live_idx").on(t.tenantId, t.code).where(sql`deleted_at IS NULL`),
    index("event_types_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export const eventTypeVersions = sqliteTable(
  "event_type_versions",
  {
    eventTypeId: text("event_type_id")
      .notNull()
      .references(() => eventTypes.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    /** `{email?, sms?, msgApp?}`: each the shape of a simple send's channel plus `enabled`. */
    channels: text("channels", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventTypeId, t.version] })],
);

export type EventTypeRow = typeof eventTypes.$inferSelect;
export type EventTypeVersionRow = typeof eventTypeVersions.$inferSelect;
