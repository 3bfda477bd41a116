import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

export const GUEST_LIST_KINDS = ["email", "phone"] as const;
export type GuestListKind = (typeof GUEST_LIST_KINDS)[number];

/**
 * A tenant's guest list: the only recipients a team key, or any key of a trial tenant, may send
 * to. One row per normalised entry (lower-cased address, E.164 number); replaced whole by PUT.
 */
export const guestListEntries = sqliteTable(
  "guest_list_entries",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: GUEST_LIST_KINDS }).notNull(),
    value: text("value").notNull(),
    /** Order as the tenant gave it, so a GET answers the list as it was written. */
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.kind, t.value] })],
);

export type GuestListEntryRow = typeof guestListEntries.$inferSelect;
