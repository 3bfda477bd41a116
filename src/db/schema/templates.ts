import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

export const CHANNELS = ["email", "sms", "msgApp"] as const;
export type Channel = (typeof CHANNELS)[number];
export const BODY_TYPES = ["text", "html", "markdown"] as const;
export type BodyType = (typeof BODY_TYPES)[number];

export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    currentVersion: integer("current_version").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /** Soft delete: sends that recorded a version can still be explained after deletion. */
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("templates_tenant_name_live_idx").on(t.tenantId, t.name).where(sql`deleted_at IS NULL`),
    index("templates_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

/** Every edit is a new row; a send records the version it rendered. */
export const templateVersions = sqliteTable(
  "template_versions",
  {
    templateId: text("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /**
     * The template's name when this version was made: a rename makes a new version (GOV.UK
     * Notify's rule), so an old version keeps the name it had. Null only on rows written before
     * names were versioned; those read the template's name.
     */
    name: text("name"),
    subject: text("subject"),
    body: text("body"),
    bodyType: text("body_type", { enum: BODY_TYPES }),
    renderer: text("renderer", { enum: ["mustache", "gc"] }).notNull(),
    /** msgApp only: a structured card (Slack blocks, Adaptive Card…) whose strings are rendered too. */
    card: text("card", { mode: "json" }).$type<Record<string, unknown> | unknown[]>(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.templateId, t.version] })],
);

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVersionRow = typeof templateVersions.$inferSelect;
