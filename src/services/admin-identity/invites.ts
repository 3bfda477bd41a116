import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { insertRowIf } from "../../db/json-rows";
import { type AdminRole, adminSignInLinks, adminUsers, type AdminUserRow, auditLog, type AuditLogRow } from "../../db/schema";
import { toBase64Url } from "../../lib/crypto/encoding";
import { sha256Hex } from "../../lib/crypto/hash";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { uuidv7 } from "../../lib/ids";
import type { OperatorContext } from "../context";
import { fromEmailChannel } from "../send/plan";
import { sendNotification } from "../send/send";
import { assertNotSystemTenant, ensureSystemTenant } from "../tenants/system-tenant";
import { getTenant } from "../tenants/tenants";
import { auditEntry } from "./audit";
import { adminServiceContext } from "./context";
import { createSession } from "./sessions";

/** How long an emailed sign-in link works (once). */
export const SIGN_IN_LINK_TTL_MS = 24 * 60 * 60_000;
const MAX_EMAIL = 320;
/** A person holding an unused link younger than this is not sent another (a double submit). */
export const RESEND_AFTER_MS = 60_000;

export interface Invitation {
  user: AdminUserRow;
  /** The send that carries the link: a notification of the system tenant (only the operator sees it). */
  notifyId: string;
}

/**
 * Invites a person to administer a tenant (or re-invites one, with a new role): stores the user
 * (email lower-cased, one row per tenant and address) and a one-time sign-in link (its token's
 * SHA-256; 24 hours), and emails the link as the deployment's own mail: a notification of the
 * system tenant (system-tenant.ts), never of the invitee's tenant, whose every API key could
 * otherwise read the link in its notification list and take the account first. The operator sees
 * it under the system tenant; locally it shows in the dev inbox. Audited. The new link ends the
 * person's older unused ones in the same batch, and while they hold an unused link less than
 * RESEND_AFTER_MS old another invitation is refused (409 at `email`) by that batch's guarded
 * INSERT, so concurrent posts of one form send one email.
 *
 * @example
 * ```ts
 * await inviteAdministrator({ ...operatorCtx, actor: "operator", correlationId }, tenantId, { email: "ada@example.gov", role: "manage" });
 * ```
 */
export async function inviteAdministrator(
  ctx: OperatorContext & { actor: string; correlationId: string },
  tenantId: string,
  input: { email: string; role: AdminRole },
): Promise<Invitation> {
  const email = input.email.trim().toLowerCase();
  // No braces or parentheses: the send path renders a recipient as a template, so "{{!x}}eve@…"
  // would store and show one address and send the link to another.
  if (email.length === 0 || email.length > MAX_EMAIL || !/^[^\s@<>",{}()]+@[^\s@<>",{}()]+\.[^\s@<>",{}()]+$/.test(email)) {
    throw fieldError("invalid_request", "email", "Enter an email address in the correct format, like name@example.com");
  }
  assertNotSystemTenant(tenantId, "administrators");
  const tenant = await getTenant(ctx, tenantId);
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const tokenHash = await sha256Hex(token);
  // A new person is stored with the role; an existing one's role changes below, only if this invitation goes out.
  const [user] = await ctx.db
    .insert(adminUsers)
    .values({ id: uuidv7(ctx.now.getTime()), tenantId: tenant.id, email, role: input.role, createdAt: ctx.now })
    .onConflictDoUpdate({ target: [adminUsers.tenantId, adminUsers.email], set: { email: sql`excluded.email` } })
    .returning();
  const now = ctx.now.getTime();
  const d1 = ctx.env.DB;
  // Every later statement runs only if the link went in: the guarded INSERT is the one decision.
  const sent = "EXISTS (SELECT 1 FROM admin_sign_in_links WHERE token_hash = ?)";
  const [inserted] = await d1.batch([
    // Refused while the person holds an unused link made less than RESEND_AFTER_MS ago, so a form
    // posted 20 times at once (or a reloaded result page) sends one email, not 20 live links.
    insertRowIf(d1, adminSignInLinks, { tokenHash, userId: user!.id, expiresAt: new Date(now + SIGN_IN_LINK_TTL_MS), usedAt: null }, "NOT EXISTS (SELECT 1 FROM admin_sign_in_links WHERE user_id = ? AND used_at IS NULL AND expires_at > ?)", [
      user!.id,
      now + SIGN_IN_LINK_TTL_MS - RESEND_AFTER_MS,
    ]),
    d1.prepare(`UPDATE admin_users SET role = ? WHERE id = ? AND ${sent}`).bind(input.role, user!.id, tokenHash),
    // A session keeps the role it began with: a re-invitation with another role (a downgrade)
    // ends the person's sessions, so the new role applies from their next sign-in.
    d1.prepare(`DELETE FROM admin_sessions WHERE user_id = ? AND role <> ? AND ${sent}`).bind(user!.id, input.role, tokenHash),
    // Only the newest link works: an older unused one (in an inbox, forwarded, leaked) ends now.
    d1.prepare(`DELETE FROM admin_sign_in_links WHERE user_id = ? AND token_hash <> ? AND used_at IS NULL AND ${sent}`).bind(user!.id, tokenHash, tokenHash),
    // auditEntry gives every column, as a row read back would have them.
    insertRowIf(d1, auditLog, auditEntry(ctx, "admin.user.invited", `admin_user:${user!.id}`, { role: input.role }, { tenantId: tenant.id }) as AuditLogRow, sent, [tokenHash]),
  ]);
  if (inserted!.meta.changes === 0) {
    throw new ApiError("conflict", {
      detail: `${email} was sent a sign-in link less than a minute ago; wait a minute before sending another`,
      errors: [{ path: "email", message: "Sent a sign-in link less than a minute ago: wait a minute before sending another" }],
    });
  }
  user!.role = input.role;
  const link = `${ctx.origin}/admin/sign-in/link/${token}`;
  // Live whatever an operator has set: the service's own mail is never held to a guest list.
  const system = await ensureSystemTenant(ctx);
  const sendCtx = adminServiceContext(ctx, { ...system, status: "live" }, { actor: ctx.actor, role: "send", correlationId: ctx.correlationId });
  const receipt = await sendNotification(
    sendCtx,
    fromEmailChannel({
      recipients: { to: [email] },
      content: {
        subject: `Sign in to Edge Notify for ${tenant.name}`,
        body: [
          `You have been invited to administer ${tenant.name} on Edge Notify.`,
          "",
          `Sign in: ${link}`,
          "",
          "This link works once and expires in 24 hours. If you did not expect this email, you can ignore it.",
        ].join("\n"),
        bodyType: "text",
      },
      ...(ctx.env.EMAIL_FROM ? { sender: { from: ctx.env.EMAIL_FROM } } : {}),
      // A second invitation to the same address is a new link, not a duplicate of the first.
      allowDuplicate: true,
    }),
    "admin-invite",
  );
  return { user: user!, notifyId: receipt.notifyId };
}

/** Whether a sign-in link is still usable (the confirm page), without using it. */
export async function signInLinkIsLive(ctx: Pick<OperatorContext, "db" | "now">, token: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
  const row = await ctx.db
    .select({ userId: adminSignInLinks.userId })
    .from(adminSignInLinks)
    .where(and(eq(adminSignInLinks.tokenHash, await sha256Hex(token)), isNull(adminSignInLinks.usedAt), gt(adminSignInLinks.expiresAt, ctx.now)))
    .get();
  return !!row;
}

/**
 * Uses a sign-in link (once: the one UPDATE that marks it used is what finds it) and starts the
 * user's session, replacing `replacing` (the caller's current session). A used, expired or
 * unknown link is a 404, with nothing said about which.
 */
export async function redeemSignInLink(
  ctx: Pick<OperatorContext, "db" | "now">,
  token: string,
  replacing?: string,
): Promise<{ sessionId: string; expiresAt: Date; user: AdminUserRow }> {
  const spent = new ApiError("not_found", { detail: "This sign-in link has been used or has expired" });
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw spent;
  const [used] = await ctx.db
    .update(adminSignInLinks)
    .set({ usedAt: ctx.now })
    .where(and(eq(adminSignInLinks.tokenHash, await sha256Hex(token)), isNull(adminSignInLinks.usedAt), gt(adminSignInLinks.expiresAt, ctx.now)))
    .returning({ userId: adminSignInLinks.userId });
  if (!used) throw spent;
  const [user] = await ctx.db.update(adminUsers).set({ lastSignInAt: ctx.now }).where(eq(adminUsers.id, used.userId)).returning();
  if (!user) throw spent;
  const session = await createSession(ctx, { kind: "user", role: user.role, userId: user.id, tenantId: user.tenantId }, replacing);
  return { sessionId: session.id, expiresAt: session.expiresAt, user };
}
