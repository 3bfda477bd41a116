import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenants } from "./tenants";

export const API_KEY_TYPES = ["live", "team", "test"] as const;
export type ApiKeyType = (typeof API_KEY_TYPES)[number];

/** `send` sends and cancels; `read` reads history, templates and settings; `manage` changes configuration. */
export const API_KEY_PERMISSIONS = ["send", "read", "manage"] as const;
export type ApiKeyPermission = (typeof API_KEY_PERMISSIONS)[number];

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type", { enum: API_KEY_TYPES }).notNull(),
    /** SHA-256 of the secret, so an X-API-Key lookup is one indexed read. */
    secretHash: text("secret_hash").notNull(),
    /** AES-GCM ciphertext of the secret: JWTs are HMACs keyed by it, so it must stay recoverable. */
    secretCiphertext: text("secret_ciphertext").notNull(),
    /** Never empty. The column default is the narrowest type default; code always writes it. */
    permissions: text("permissions", { mode: "json" }).$type<ApiKeyPermission[]>().notNull().default(["send", "read"]),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    /**
     * When the key last authenticated a request, to within services/auth/key-use.ts
     * KEY_USE_GRANULARITY_MS (an hour): written at most once per key per hour, off the request's
     * path. Null until first used.
     */
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_keys_tenant_idx").on(t.tenantId), uniqueIndex("api_keys_secret_hash_idx").on(t.secretHash)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
