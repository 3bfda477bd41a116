import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

/** One member of a recipient group, normalised as recipients are (lower-cased address, E.164). */
export interface GroupMember {
  name?: string;
  email?: string;
  phone?: string;
  optedOut?: boolean;
}

/**
 * Recipient groups (the seed's CSTAR groups), named in a recipient list as `group:<name>` and
 * expanded when a notification is resolved. Members live in one JSON column: a group is read
 * and replaced whole, and is bounded in size by its schema.
 */
export const recipientGroups = sqliteTable(
  "recipient_groups",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    members: text("members", { mode: "json" }).$type<GroupMember[]>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("recipient_groups_tenant_name_idx").on(t.tenantId, t.name), index("recipient_groups_tenant_created_idx").on(t.tenantId, t.createdAt, t.id)],
);

export type RecipientGroupRow = typeof recipientGroups.$inferSelect;
