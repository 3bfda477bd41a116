import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { deliveries } from "./notifications";

/**
 * How an attempt ended. `accepted`: the provider took the message. `retryable`, `permanent`,
 * `configuration`, `unknown`: the provider error's kind (unknown: no answer after the request
 * went out). `skipped`: no call, every provider's circuit was open. `not_sent`: no call, the
 * message could not be prepared (an attachment gone, an attachment service failing).
 */
export const ATTEMPT_OUTCOMES = ["accepted", "retryable", "permanent", "configuration", "unknown", "skipped", "not_sent"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One attempt of one delivery: which provider it went to and how it ended (services/delivery/attempts.ts). */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    /** The delivery's attempt number; a `skipped` attempt takes none, so the next call has the same. */
    attempt: integer("attempt").notNull(),
    provider: text("provider").notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }).notNull(),
    outcome: text("outcome", { enum: ATTEMPT_OUTCOMES }).notNull(),
    httpStatus: integer("http_status"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    providerMessageId: text("provider_message_id"),
  },
  (t) => [
    // GET /notify/{id}/attempts pages a notification's attempts newest first by (started_at, id).
    index("delivery_attempts_page_idx").on(t.notificationId, t.startedAt, t.id),
    // The cascade from deliveries, and a message's attempts.
    index("delivery_attempts_delivery_idx").on(t.deliveryId),
  ],
);

export type DeliveryAttemptRow = typeof deliveryAttempts.$inferSelect;
