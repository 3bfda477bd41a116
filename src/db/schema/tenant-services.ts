import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

export const SERVICE_KINDS = ["subscription", "attachment"] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/**
 * Downstream services a tenant configures (the seed's fifth design principle): a subscription
 * service finds recipients, an attachment service renders a document to attach. Each is called
 * through the outbound-URL policy. The auth header is a secret: stored encrypted, never answered.
 */
export const tenantServices = sqliteTable(
  "tenant_services",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: SERVICE_KINDS }).notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    /** AES-GCM ciphertext of the `{name, value}` auth header, bound to tenant and service id. */
    authHeaderCiphertext: text("auth_header_ciphertext"),
    /** Kind-specific settings: request and response mappings, timeout. */
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("tenant_services_tenant_kind_name_idx").on(t.tenantId, t.kind, t.name),
    index("tenant_services_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

export type TenantServiceRow = typeof tenantServices.$inferSelect;
