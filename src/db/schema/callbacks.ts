import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { MESSAGE_STATUSES, type MessageStatus, notifications } from "./notifications";
import { CHANNELS } from "./templates";
import { tenants } from "./tenants";

/** The spec's triggers: `success` is a delivered message, `failure` any of the failure statuses. */
export const CALLBACK_TRIGGERS = ["success", "failure"] as const;
export type CallbackTrigger = (typeof CALLBACK_TRIGGERS)[number];

/**
 * What a registration can be told of: a message channel's status changes, or `received-text`,
 * each text received on one of the tenant's inbound numbers (GOV.UK Notify's inbound SMS callback).
 */
export const CALLBACK_CHANNEL_TYPES = [...CHANNELS, "received-text"] as const;
export type CallbackChannelType = (typeof CALLBACK_CHANNEL_TYPES)[number];

/** `message.status`: a message's status changed; `received-text`: a text was received (message_id is the received text's id). */
export const CALLBACK_EVENT_KINDS = ["message.status", "received-text"] as const;
export type CallbackEventKind = (typeof CALLBACK_EVENT_KINDS)[number];

/**
 * A tenant's status-callback registration (POST /api/v1/notify/registerCallback). Secrets and
 * header values are sealed (lib/crypto/secret-box) with the registration's id as context.
 */
export const callbacks = sqliteTable(
  "callbacks",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** Sealed JSON object of extra request headers; null when there are none. */
    headersSealed: text("headers_sealed"),
    /** The header names alone, so a listing shows them without opening the values. */
    headerNames: text("header_names", { mode: "json" }).$type<string[]>().notNull(),
    channelTypes: text("channel_types", { mode: "json" }).$type<CallbackChannelType[]>().notNull(),
    triggers: text("triggers", { mode: "json" }).$type<CallbackTrigger[]>().notNull(),
    /** Further statuses asked for explicitly (e.g. `sending`). */
    statuses: text("statuses", { mode: "json" }).$type<MessageStatus[]>().notNull(),
    /**
     * Every message status that fires it: triggers and statuses combined at write time, so the
     * outbox INSERT (services/callbacks/emit.ts) tests one JSON array rather than re-deriving it.
     */
    firesOn: text("fires_on", { mode: "json" }).$type<MessageStatus[]>().notNull(),
    active: integer("active", { mode: "boolean" }).notNull(),
    /** Why it was switched off by the service (a 410 Gone from the receiver), when it was. */
    disabledReason: text("disabled_reason"),
    description: text("description"),
    /** The sealed `whsec_…` signing secret. */
    secretSealed: text("secret_sealed").notNull(),
    /** The secret a rotation replaced: it still signs until `previous_secret_expires_at`. */
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: integer("previous_secret_expires_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("callbacks_tenant_created_idx").on(t.tenantId, t.createdAt, t.id)],
);

/**
 * `pending` waits for its next attempt (due at `next_attempt_at`), `delivering` is claimed under
 * a lease by one consumer, `delivered` and `failed` are final (until a replay makes it pending).
 */
export const CALLBACK_EVENT_STATES = ["pending", "delivering", "delivered", "failed"] as const;
export type CallbackEventState = (typeof CALLBACK_EVENT_STATES)[number];

/** What a callback event says besides the status (the message's error, when it failed). */
export interface CallbackDetail {
  message?: string;
  retryable?: boolean;
  provider?: string;
  code?: string;
}

/**
 * The transactional outbox of status callbacks: one row per message status change and matching
 * registration, written in the batch that changes the message (services/callbacks/emit.ts).
 */
export const callbackEvents = sqliteTable(
  "callback_events",
  {
    /** `evt_` + 32 hex digits, made in SQL; the Standard Webhooks `webhook-id`, kept across retries and replays. */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    kind: text("kind", { enum: CALLBACK_EVENT_KINDS }).notNull().default("message.status"),
    /** Null for a received text's event, which belongs to no notification. */
    notificationId: text("notification_id").references(() => notifications.id, { onDelete: "cascade" }),
    /** The message, or for a `received-text` event the received text. */
    messageId: text("message_id").notNull(),
    /** No foreign key: a deleted registration's events stay readable (and fail if still pending). */
    callbackId: text("callback_id").notNull(),
    /** The message's new status; null for a `received-text` event. */
    status: text("status", { enum: MESSAGE_STATUSES }),
    detail: text("detail", { mode: "json" }).$type<CallbackDetail>(),
    state: text("state", { enum: CALLBACK_EVENT_STATES }).notNull(),
    /** Attempts made so far, over every series; numbers the next one. */
    attempts: integer("attempts").notNull().default(0),
    /** `attempts` when the current series began (0, or where a replay started a new one). */
    seriesStart: integer("series_start").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
    leaseToken: text("lease_token"),
    occurredAt: integer("occurred_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    // GET /notify/{id}/callbacks pages a notification's events by (created_at, id).
    index("callback_events_page_idx").on(t.notificationId, t.createdAt, t.id),
    // The cron's outbox sweep finds events whose enqueue was lost (services/callbacks/sweep.ts).
    index("callback_events_due_idx").on(t.nextAttemptAt).where(sql`state IN ('pending', 'delivering')`),
    // A message reaches a status once: one event per (message, registration, status), whatever
    // writes it again (the outbox INSERT is ON CONFLICT DO NOTHING, services/callbacks/emit.ts).
    uniqueIndex("callback_events_once_idx").on(t.messageId, t.callbackId, t.status),
  ],
);

/** One POST of a callback event to its receiver. */
export const callbackAttempts = sqliteTable(
  "callback_attempts",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => callbackEvents.id, { onDelete: "cascade" }),
    tenantId: text("tenant_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    httpStatus: integer("http_status"),
    error: text("error"),
    /** The start of the receiver's answer, at most 1 KB. */
    responseSnippet: text("response_snippet"),
  },
  (t) => [index("callback_attempts_event_idx").on(t.eventId, t.attempt)],
);

export type CallbackRow = typeof callbacks.$inferSelect;
export type CallbackEventRow = typeof callbackEvents.$inferSelect;
export type CallbackAttemptRow = typeof callbackAttempts.$inferSelect;
