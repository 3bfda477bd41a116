import type { ApiKeyPermission, AdminRole, AdminSessionKind } from "../db/schema";
import type { AppEnv, AppVariables } from "../lib/app-env";

/** Who is signed in to the admin UI (`c.get("admin")`), set by `loadAdmin` (admin/middleware.ts). */
export interface AdminIdentity {
  kind: AdminSessionKind;
  /** The tenant a user acts for (always from the session, never from the URL); null for operators. */
  tenantId: string | null;
  /** A user's role; `manage` for operators. */
  role: AdminRole;
  userId: string | null;
  /** The role's API key permissions (services/admin-identity/roles.ts). */
  permissions: readonly ApiKeyPermission[];
  /** Who audit entries name: `operator` or `user:<id>`. */
  actor: string;
  /**
   * An operator viewing a tenant's screens read-only (screens/operator/view-as.tsx): the tenant
   * is the session's, `tenantId` is set and `role` is `read`; every form post but "Stop viewing"
   * is refused. Absent otherwise.
   */
  viewing?: { tenantId: string; tenantName: string };
}

/** The admin sub-app's Hono environment: the app's, plus the session and the CSP nonce. */
export interface AdminEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppVariables & {
    /** Null when no one is signed in. */
    admin: AdminIdentity | null;
    /** This response's Content-Security-Policy nonce: every <script> carries it. */
    cspNonce: string;
    /**
     * The page's nonce for styles only: email previews carry it on their `<style>` elements
     * (admin/email-preview.tsx). Kept apart from `cspNonce` because it appears in the page's
     * markup, inside each preview's `srcdoc`.
     */
    styleNonce: string;
    /** The raw session cookie value, when one was presented (to replace it at sign-in). */
    sessionCookie: string | undefined;
    /** Set on an operator page refused while viewing a tenant: not a look at the tenant, so not in its audit log. */
    notViewingTenant?: true;
  };
}
