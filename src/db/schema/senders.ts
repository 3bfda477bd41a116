import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

/**
 * A tenant's email reply-to addresses, addressed by id (GOV.UK Notify's `email_reply_to_id`).
 * The partial unique index keeps at most one default per tenant whatever writers race.
 */
export const replyToAddresses = sqliteTable(
  "reply_to_addresses",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    isDefault: integer("is_default", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("reply_to_addresses_tenant_email_idx").on(t.tenantId, t.email),
    uniqueIndex("reply_to_addresses_one_default_idx").on(t.tenantId).where(sql`is_default = 1`),
    index("reply_to_addresses_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

/**
 * A tenant's SMS senders, addressed by id (GOV.UK Notify's `sms_sender_id`). An inbound sender is
 * a number that receives texts for its tenant, so the number is unique across tenants (a partial
 * unique index on `sender` alone), and at most one sender per tenant is the default.
 */
export const smsSenders = sqliteTable(
  "sms_senders",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    sender: text("sender").notNull(),
    isDefault: integer("is_default", { mode: "boolean" }).notNull(),
    inbound: integer("inbound", { mode: "boolean" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("sms_senders_tenant_sender_idx").on(t.tenantId, t.sender),
    uniqueIndex("sms_senders_one_default_idx").on(t.tenantId).where(sql`is_default = 1`),
    uniqueIndex("sms_senders_inbound_number_idx").on(t.sender).where(sql`inbound = 1`),
    index("sms_senders_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export type ReplyToAddressRow = typeof replyToAddresses.$inferSelect;
export type SmsSenderRow = typeof smsSenders.$inferSelect;
