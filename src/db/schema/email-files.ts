import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { notifications } from "./notifications";
import { tenants } from "./tenants";

/**
 * Files sent by email (GOV.UK Notify's "send a file by email"): the bytes live in R2 under
 * `objectKey`; the email carries a link to the Worker's download page, whose secret is kept here
 * only as a hash. A file past `expiresAt` is refused and deleted by the cron.
 */
export const emailFiles = sqliteTable(
  "email_files",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").references(() => notifications.id, { onDelete: "cascade" }),
    objectKey: text("object_key").notNull(),
    filename: text("filename"),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    /** SHA-256 (hex) of the link's secret. */
    secretHash: text("secret_hash").notNull(),
    /** When set, the download page asks for the recipient's address first; this is its hash. */
    confirmEmailHash: text("confirm_email_hash"),
    /**
     * Wrong addresses given on the download page so far. At EMAIL_FILE_CONFIRM_LIMIT the file is
     * locked for the rest of its retention: the confirmation cannot be guessed.
     */
    confirmFailures: integer("confirm_failures").notNull().default(0),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("email_files_expires_idx").on(t.expiresAt), index("email_files_tenant_created_idx").on(t.tenantId, t.createdAt)],
);

export type EmailFileRow = typeof emailFiles.$inferSelect;
