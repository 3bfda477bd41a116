import { API_KEY_PERMISSIONS, type ApiKeyPermission, type ApiKeyType } from "../../db/schema";

/**
 * What a key may do when the operator does not say: live keys everything; team and test keys
 * send and read but never change configuration, because a live send would then use it.
 */
export const DEFAULT_PERMISSIONS: Record<ApiKeyType, readonly ApiKeyPermission[]> = {
  live: ["send", "read", "manage"],
  team: ["send", "read"],
  test: ["send", "read"],
};

/**
 * The permissions a new key gets: the operator's choice in canonical order, or its type's default.
 *
 * @example
 * ```ts
 * keyPermissions("test")                     // ["send", "read"]
 * keyPermissions("live", ["manage", "read"]) // ["read", "manage"]
 * ```
 */
export function keyPermissions(type: ApiKeyType, chosen?: readonly ApiKeyPermission[]): ApiKeyPermission[] {
  const set = new Set(chosen ?? DEFAULT_PERMISSIONS[type]);
  return API_KEY_PERMISSIONS.filter((p) => set.has(p));
}
