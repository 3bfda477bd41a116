import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { smsSenders } from "./senders";
import { tenants } from "./tenants";

/**
 * Text messages received on a tenant's inbound SMS sender (GOV.UK Notify's received text
 * messages), stored by the SMS providers' inbound webhooks. A provider may post the same text
 * again (a retried webhook), so its message id is unique per provider.
 */
export const receivedTexts = sqliteTable(
  "received_texts",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The inbound sender that received it; null once that sender is deleted. */
    smsSenderId: text("sms_sender_id").references(() => smsSenders.id, { onDelete: "set null" }),
    /** The tenant's number the text was sent to, as stored on the sender. */
    notifyNumber: text("notify_number").notNull(),
    /** The sender's number in E.164. */
    userNumber: text("user_number").notNull(),
    content: text("content").notNull(),
    provider: text("provider").notNull(),
    providerMessageId: text("provider_message_id").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("received_texts_provider_message_idx").on(t.provider, t.providerMessageId),
    index("received_texts_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    // The retention sweep deletes the oldest texts of every tenant; the tenant index leads with
    // the tenant, so without this the sweep would scan the whole table each minute.
    index("received_texts_created_idx").on(t.createdAt),
  ],
);

export type ReceivedTextRow = typeof receivedTexts.$inferSelect;
