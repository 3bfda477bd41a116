import { and, asc, eq, sql } from "drizzle-orm";
import { ADMIN_ROLES, type AdminRole, adminSessions, adminSignInLinks, adminUsers, type AdminUserRow } from "../../db/schema";
import { ApiError, fieldError } from "../../lib/errors/api-error";
import { permits } from "../../middleware/auth";
import type { ServiceContext } from "../context";
import { validateEmailAddress } from "../recipients/email";
import { actorOf, audit } from "./audit";
import { inviteAdministrator } from "./invites";

/** Members a team page lists at most (a tenant's team is people, not machines). */
export const MAX_TEAM_MEMBERS_LISTED = 500;

/** A tenant's admin user as the team pages show them. */
export interface TeamMember {
  id: string;
  email: string;
  role: AdminRole;
  /** When they were first invited. */
  createdAt: string;
  lastSignInAt: string | null;
}

const toMember = (row: Pick<AdminUserRow, "id" | "email" | "role" | "createdAt" | "lastSignInAt">): TeamMember => ({
  id: row.id,
  email: row.email,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
  lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
});

const notFound = (id: string) => new ApiError("not_found", { detail: `No team member ${id}` });

/** Changing the team is the manage permission's, whichever transport calls this. */
function assertManage(ctx: ServiceContext): void {
  if (!permits({ permissions: ctx.principal.permissions }, "manage")) throw new ApiError("forbidden", { detail: "Changing the team needs the manage permission" });
}

/** A person cannot change their own role or remove themselves: another manage user does. */
function assertNotSelf(ctx: ServiceContext, id: string, what: "change your own role" | "remove yourself"): void {
  if (actorOf(ctx) === `user:${id}`) throw new ApiError("conflict", { detail: `You cannot ${what}`, errors: [{ path: "role", message: `You cannot ${what}: ask another manage user` }] });
}

/** The tenant's manage users other than the row being changed: one must remain. */
const anotherManager = (tenantId: string) => sql`(SELECT count(*) FROM admin_users AS m WHERE m.tenant_id = ${tenantId} AND m.role = 'manage') > 1`;

const lastManager = () =>
  new ApiError("conflict", {
    detail: "This is the tenant's last manage user",
    errors: [{ path: "role", message: "This is your team's last manage user: give someone else the manage role first" }],
  });

/**
 * The tenant's admin users, by email (at most MAX_TEAM_MEMBERS_LISTED; `truncated` says more exist).
 *
 * @example
 * ```ts
 * const { items } = await listTeamMembers(ctx); // [{ id, email: "ada@example.gov", role: "manage", createdAt, lastSignInAt }]
 * ```
 */
export async function listTeamMembers(ctx: ServiceContext): Promise<{ items: TeamMember[]; truncated: boolean }> {
  const rows = await ctx.db
    .select()
    .from(adminUsers)
    .where(eq(adminUsers.tenantId, ctx.tenant.id))
    .orderBy(asc(adminUsers.email))
    .limit(MAX_TEAM_MEMBERS_LISTED + 1);
  return { items: rows.slice(0, MAX_TEAM_MEMBERS_LISTED).map(toMember), truncated: rows.length > MAX_TEAM_MEMBERS_LISTED };
}

/** One of the tenant's admin users; another tenant's is indistinguishable from none (404). */
export async function getTeamMember(ctx: ServiceContext, id: string): Promise<TeamMember> {
  const row = await ctx.db
    .select()
    .from(adminUsers)
    .where(and(eq(adminUsers.id, id.toLowerCase()), eq(adminUsers.tenantId, ctx.tenant.id)))
    .get();
  if (!row) throw notFound(id);
  return toMember(row);
}

/**
 * Invites a new member to the caller's tenant with a role: inviteAdministrator stores them and
 * emails the one-time sign-in link as the system tenant's mail (audited `admin.user.invited`).
 * An address already in the team is a 409 at `email` (their role changes on their own page, so
 * an invitation can never demote the last manage user).
 *
 * @example
 * ```ts
 * await inviteTeamMember(ctx, { email: "bo@example.gov", role: "send" });
 * ```
 */
export async function inviteTeamMember(ctx: ServiceContext, input: { email: string; role: string }): Promise<{ member: TeamMember; notifyId: string }> {
  assertManage(ctx);
  if (!(ADMIN_ROLES as readonly string[]).includes(input.role)) throw fieldError("invalid_request", "role", "Select a role");
  // The send path's own address check (and its normal form: no invisible characters, IDN as
  // A-labels) before anything is stored, so an address the invitation could not reach leaves no
  // member behind.
  const check = validateEmailAddress(input.email.slice(0, 400));
  if (!check.ok) throw fieldError("invalid_request", "email", "Enter an email address in the correct format, like name@example.com");
  const email = check.address.toLowerCase();
  const existing = await ctx.db
    .select({ id: adminUsers.id })
    .from(adminUsers)
    .where(and(eq(adminUsers.tenantId, ctx.tenant.id), eq(adminUsers.email, email)))
    .get();
  if (existing) {
    throw new ApiError("conflict", {
      detail: `${email} is already a member of the team`,
      errors: [{ path: "email", message: "Already a member of your team: change their role or send them a new sign-in link from their page" }],
    });
  }
  const invitation = await inviteAdministrator({ ...ctx, actor: actorOf(ctx) }, ctx.tenant.id, { email, role: input.role as AdminRole });
  return { member: toMember(invitation.user), notifyId: invitation.notifyId };
}

/**
 * Emails a member a new one-time sign-in link with their current role (their sessions go on;
 * their older unused link ends). Within a minute of the last link it is a 409 at `email`
 * (inviteAdministrator), so a button pressed twice sends one. Audited by inviteAdministrator.
 */
export async function resendSignInLink(ctx: ServiceContext, id: string): Promise<TeamMember> {
  assertManage(ctx);
  const member = await getTeamMember(ctx, id);
  const invitation = await inviteAdministrator({ ...ctx, actor: actorOf(ctx) }, ctx.tenant.id, { email: member.email, role: member.role });
  return toMember(invitation.user);
}

/**
 * Gives a member another role. The UPDATE itself refuses to demote the tenant's last manage user
 * (its WHERE counts the others), so concurrent changes cannot leave a team without one; in the
 * same batch the member's sessions that began with another role end, as a re-invitation's do, so
 * the new role applies from their next sign-in. Your own role is another manage user's to change
 * (409). Audited `admin.user.role_changed`; the same role again changes nothing.
 *
 * @example
 * ```ts
 * const { member, changed } = await changeTeamMemberRole(ctx, memberId, "read");
 * ```
 */
export async function changeTeamMemberRole(ctx: ServiceContext, id: string, role: string): Promise<{ member: TeamMember; changed: boolean }> {
  assertManage(ctx);
  if (!(ADMIN_ROLES as readonly string[]).includes(role)) throw fieldError("invalid_request", "role", "Select a role");
  const current = await getTeamMember(ctx, id);
  assertNotSelf(ctx, current.id, "change your own role");
  if (current.role === role) return { member: current, changed: false };
  const where = and(eq(adminUsers.id, current.id), eq(adminUsers.tenantId, ctx.tenant.id));
  const [updated] = await ctx.db.batch([
    ctx.db
      .update(adminUsers)
      .set({ role: role as AdminRole })
      .where(and(where, role === "manage" ? undefined : sql`(${adminUsers.role} <> 'manage' OR ${anotherManager(ctx.tenant.id)})`))
      .returning(),
    // Whatever the UPDATE did: sessions whose role is not the member's role now end.
    ctx.db.delete(adminSessions).where(and(eq(adminSessions.userId, current.id), sql`${adminSessions.role} <> coalesce((SELECT u.role FROM admin_users AS u WHERE u.id = ${current.id}), '')`)),
  ]);
  const row = updated[0];
  if (!row) {
    // Removed meanwhile (404), or the last manage user (409): say which.
    const now = await getTeamMember(ctx, current.id);
    if (now.role === "manage") throw lastManager();
    throw new ApiError("conflict", { detail: "The member's role changed meanwhile; look again", errors: [{ path: "role", message: "Their role changed while you were looking: check it and try again" }] });
  }
  await audit(ctx, "admin.user.role_changed", `admin_user:${row.id}`, { from: current.role, to: row.role });
  return { member: toMember(row), changed: true };
}

/**
 * Removes a member from the team: their user row, sign-in links and sessions, in one batch whose
 * DELETE refuses the tenant's last manage user. You cannot remove yourself (409). Audited
 * `admin.user.removed` (their email and role, no secret).
 */
export async function removeTeamMember(ctx: ServiceContext, id: string): Promise<TeamMember> {
  assertManage(ctx);
  const current = await getTeamMember(ctx, id);
  assertNotSelf(ctx, current.id, "remove yourself");
  const gone = sql`NOT EXISTS (SELECT 1 FROM admin_users AS u WHERE u.id = ${current.id})`;
  const [deleted] = await ctx.db.batch([
    ctx.db
      .delete(adminUsers)
      .where(and(eq(adminUsers.id, current.id), eq(adminUsers.tenantId, ctx.tenant.id), sql`(${adminUsers.role} <> 'manage' OR ${anotherManager(ctx.tenant.id)})`))
      .returning(),
    // The foreign keys cascade too; these say so where D1 might not enforce them.
    ctx.db.delete(adminSessions).where(and(eq(adminSessions.userId, current.id), gone)),
    ctx.db.delete(adminSignInLinks).where(and(eq(adminSignInLinks.userId, current.id), gone)),
  ]);
  const row = deleted[0];
  if (!row) {
    const now = await getTeamMember(ctx, current.id);
    if (now.role === "manage") throw lastManager();
    throw new ApiError("conflict", { detail: "The member changed meanwhile; look again", errors: [{ path: "role", message: "They changed while you were looking: check and try again" }] });
  }
  await audit(ctx, "admin.user.removed", `admin_user:${row.id}`, { email: row.email, role: row.role });
  return toMember(row);
}
