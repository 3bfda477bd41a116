import type { AdminRole, ApiKeyPermission } from "../../db/schema";

/**
 * The API key permissions a tenant user's role carries: roles are cumulative (manage ⊃ send ⊃
 * read), and the admin UI checks them with the same rule as a key's (middleware/auth.ts `permits`).
 *
 * @example
 * ```ts
 * permissionsOfRole("send") // ["read", "send"]
 * ```
 */
export function permissionsOfRole(role: AdminRole): readonly ApiKeyPermission[] {
  return ROLE_PERMISSIONS[role];
}

const ROLE_PERMISSIONS: Record<AdminRole, readonly ApiKeyPermission[]> = {
  read: ["read"],
  send: ["read", "send"],
  manage: ["read", "send", "manage"],
};

/** Roles as people read them, for forms and tables. */
export const ROLE_LABELS: Record<AdminRole, string> = {
  read: "Read only (view templates, activity and settings)",
  send: "Send (read, and send messages)",
  manage: "Manage (read, send, and change templates and settings)",
};
