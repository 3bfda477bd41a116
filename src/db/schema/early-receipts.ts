import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Delivery receipts of a wired provider that named no delivery when they arrived: the provider
 * may report before the queue consumer has stored its message id (settleAll writes it once every
 * call of the batch has finished). settleAll applies them when it writes that id
 * (services/receipts/early.ts); the cron deletes what is older than an hour, and a post stores
 * nothing more once the table holds EARLY_RECEIPTS_CAP rows, so receipts for messages this
 * deployment never sent (a provider account shared with another system) cannot pile up.
 */
export const earlyReceipts = sqliteTable(
  "early_receipts",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    providerMessageId: text("provider_message_id").notNull(),
    /** The receipt's recipient (a multi-recipient email), as the provider reported it. */
    recipient: text("recipient"),
    /** The Receipt (services/receipts/apply.ts) as JSON, `at` in ISO 8601. */
    receipt: text("receipt").notNull(),
    receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("early_receipts_message_idx").on(t.providerMessageId, t.provider), index("early_receipts_received_idx").on(t.receivedAt)],
);

export type EarlyReceiptRow = typeof earlyReceipts.$inferSelect;
