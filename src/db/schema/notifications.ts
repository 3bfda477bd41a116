import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { API_KEY_TYPES } from "./api-keys";
import { CHANNELS } from "./templates";
import { tenants } from "./tenants";

/** Overall status of a notification, derived from its message counts (services/delivery/notification-status.ts). */
export const NOTIFICATION_STATUSES = [
  "accepted",
  "scheduled",
  "sending",
  "delivered",
  "partially-failed",
  "failed",
  "cancelled",
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Public per-recipient statuses (GOV.UK Notify's vocabulary, plus scheduled and cancelled). */
export const MESSAGE_STATUSES = [
  "scheduled",
  "created",
  "sending",
  "delivered",
  "permanent-failure",
  "temporary-failure",
  "technical-failure",
  "cancelled",
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * Internal state of one provider call. `queued` → `in_flight` (claimed under a lease) → `done`;
 * `retry_wait` between attempts; `scheduled` until the cron releases it; `cancelled` by the tenant.
 */
export const DELIVERY_STATES = ["scheduled", "queued", "in_flight", "retry_wait", "done", "cancelled"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    status: text("status", { enum: NOTIFICATION_STATUSES }).notNull(),
    keyType: text("key_type", { enum: API_KEY_TYPES }).notNull(),
    /** Which route created it: simple sends now; event sends and the v2 API later. */
    source: text("source").notNull(),
    correlationId: text("correlation_id"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    channels: text("channels", { mode: "json" }).$type<(typeof CHANNELS)[number][]>().notNull(),
    messageCount: integer("message_count").notNull(),
    scheduledFor: integer("scheduled_for", { mode: "timestamp_ms" }),
    /** The event type a /notifyevent send resolved, by code and version (null for simple sends). */
    eventTypeCode: text("event_type_code"),
    eventTypeVersion: integer("event_type_version"),
    /** Where each resolved setting came from (system, tenant, event, request, augment), per channel. */
    resolution: text("resolution", { mode: "json" }).$type<Record<string, unknown>>(),
    /**
     * The status-callback registrations each channel resolved at send time (services/resolve),
     * by id; null when none did, so the outbox INSERT of every status change finds nothing to do.
     */
    callbacks: text("callbacks", { mode: "json" }).$type<Partial<Record<(typeof CHANNELS)[number], string[]>>>(),
    /**
     * How many of its messages are in each status. Every status change adds to these in the batch
     * that changes the messages (services/delivery/notification-status.ts), so `status` and the
     * status API's counts never have to scan the messages, which a 50,000-row merge makes quadratic.
     */
    countScheduled: integer("count_scheduled").notNull().default(0),
    countCreated: integer("count_created").notNull().default(0),
    countSending: integer("count_sending").notNull().default(0),
    countDelivered: integer("count_delivered").notNull().default(0),
    countPermanentFailure: integer("count_permanent_failure").notNull().default(0),
    countTemporaryFailure: integer("count_temporary_failure").notNull().default(0),
    countTechnicalFailure: integer("count_technical_failure").notNull().default(0),
    countCancelled: integer("count_cancelled").notNull().default(0),
    /**
     * A fanned-out mail merge: chunks of rows not yet turned into messages by the notify-fanout
     * consumer. While any is pending the notification is not finished, whatever its counts say.
     */
    pendingChunks: integer("pending_chunks").notNull().default(0),
    /** Set by a cancel: chunks fanned out after it are stored cancelled, never sent. */
    cancelRequestedAt: integer("cancel_requested_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("notifications_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("notifications_tenant_correlation_idx").on(t.tenantId, t.correlationId),
    index("notifications_tenant_status_idx").on(t.tenantId, t.status, t.createdAt),
    // The cron looks for fan-outs that stopped making progress (services/fanout/sweep.ts).
    index("notifications_fanout_pending_idx").on(t.updatedAt).where(sql`pending_chunks > 0`),
  ],
);

/** The notifications column that counts each message status. */
export const STATUS_COUNT_FIELDS = {
  scheduled: "countScheduled",
  created: "countCreated",
  sending: "countSending",
  delivered: "countDelivered",
  "permanent-failure": "countPermanentFailure",
  "temporary-failure": "countTemporaryFailure",
  "technical-failure": "countTechnicalFailure",
  cancelled: "countCancelled",
} as const satisfies Record<MessageStatus, keyof typeof notifications.$inferSelect>;

/** One provider call: an email (all its recipients), one SMS, or one chat post. */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    notificationId: text("notification_id")
      .notNull()
      .references(() => notifications.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    state: text("state", { enum: DELIVERY_STATES }).notNull(),
    /** The provider the next attempt uses (the last one's once settled), or "simulator" for test keys. */
    provider: text("provider").notNull(),
    /**
     * Every provider the delivery may fail over to, in order (the primary first); null when it
     * has only `provider`. services/delivery/process.ts moves `provider` along this list.
     */
    providers: text("providers", { mode: "json" }).$type<string[]>(),
    /** The rendered message exactly as previewed (services/send/plan.ts PlannedPayload). */
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    providerMessageId: text("provider_message_id"),
    attempts: integer("attempts").notNull().default(0),
    /** Set when claimed; another consumer may not take the delivery before it passes. */
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    leaseToken: text("lease_token"),
    scheduledFor: integer("scheduled_for", { mode: "timestamp_ms" }),
    enqueuedAt: integer("enqueued_at", { mode: "timestamp_ms" }),
    lastError: text("last_error", { mode: "json" }).$type<DeliveryError>(),
    templateId: text("template_id"),
    templateVersion: integer("template_version"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("deliveries_notification_idx").on(t.notificationId),
    index("deliveries_state_scheduled_idx").on(t.state, t.scheduledFor),
    index("deliveries_state_enqueued_idx").on(t.state, t.enqueuedAt),
    // Delivery receipts name a message by the provider's id (services/receipts/apply.ts).
    index("deliveries_provider_message_idx").on(t.providerMessageId, t.provider).where(sql`provider_message_id IS NOT NULL`),
  ],
);

export interface DeliveryError {
  code: string;
  message: string;
  retryable: boolean;
  provider?: string;
  httpStatus?: number;
  providerCode?: string;
  at: string;
}

/** One row per channel and recipient: what the status API reports. */
export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    recipient: text("recipient").notNull(),
    /** Email only: to, cc or bcc. */
    role: text("role", { enum: ["to", "cc", "bcc"] }),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull(),
    /** Why this recipient failed, when it did. */
    error: text("error", { mode: "json" }).$type<DeliveryError>(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    sentAt: integer("sent_at", { mode: "timestamp_ms" }),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("messages_notification_idx").on(t.notificationId),
    index("messages_delivery_idx").on(t.deliveryId),
    // GET /notify/{id}/messages pages newest first by (created_at, id) within one notification;
    // with these a page reads limit + 1 index entries instead of sorting all of a merge's rows.
    index("messages_page_idx").on(t.notificationId, t.createdAt, t.id),
    index("messages_status_page_idx").on(t.notificationId, t.status, t.createdAt, t.id),
    // The cron finds messages left in `sending` too long (services/delivery/sweep.ts expireStuckSending).
    index("messages_sending_idx").on(t.updatedAt).where(sql`status = 'sending'`),
    // The operator's technical failures across tenants (services/notifications/technical-failures.ts)
    // walk ids (creation time first) newest first; only failures are in it, so a page reads its rows.
    index("messages_technical_failure_idx").on(t.id).where(sql`status = 'technical-failure'`),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type DeliveryRow = typeof deliveries.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
