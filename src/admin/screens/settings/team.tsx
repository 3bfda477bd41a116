import type { Hono } from "hono";
import { ADMIN_ROLES, type AdminRole } from "../../../db/schema";
import { ApiError } from "../../../lib/errors/api-error";
import { permits } from "../../../middleware/auth";
import { ROLE_LABELS } from "../../../services/admin-identity";
import { changeTeamMemberRole, getTeamMember, inviteTeamMember, listTeamMembers, removeTeamMember, resendSignInLink, type TeamMember } from "../../../services/admin-identity/team";
import type { ServiceContext } from "../../../services/context";
import { tenantContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { errorFor, ErrorSummary, FieldError, type FormError, page, Tag, TextField } from "../../layout";
import { requireAdmin } from "../../middleware";
import { ConfirmPage } from "../../confirm";
import { formText, Notice, ownRow, SETTINGS_PATH, SettingsHead, serviceFormErrors, SummaryRow, when } from "./shared";

const TEAM_PATH = `${SETTINGS_PATH}/team`;
const ROLE_NAMES: Record<AdminRole, string> = { read: "Read", send: "Send", manage: "Manage" };
const ROLE_ORDER = ["manage", "send", "read"] as const;

const ownMember = (ctx: ServiceContext, id: string) => ownRow("team member", id, (own) => getTeamMember(ctx, own));
/** A refusal because of the team's state (the last manage user, yourself, an address taken) is a 409; a bad form a 422. */
const statusOf = (err: unknown): 409 | 422 => (err instanceof ApiError && err.status === 409 ? 409 : 422);
const roleField = (path: string) => (path === "email" ? "email" : "role-manage");

/**
 * Settings → team members: the tenant's admin users. `GET /admin/settings/team` and a member's
 * page (read); inviting (the link goes out as the system tenant's mail, as the operator's
 * invitations do), changing a role (their sessions end), sending a new sign-in link, and
 * removing after a confirmation page need manage. Nobody changes their own role or removes
 * themselves, and the last manage user can be neither demoted nor removed
 * (services/admin-identity/team.ts). Audited `admin.user.invited` / `role_changed` / `removed`.
 */
export function registerTeamScreens(admin: Hono<AdminEnv>): void {
  admin.get("/settings/team", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const list = await listTeamMembers(ctx);
    const notice = { invited: "Invitation sent", removed: "Team member removed" }[c.req.query("done") ?? ""];
    return page(c, "Team members", <TeamPage tenantName={ctx.tenant.name} list={list} you={c.get("admin")?.userId ?? null} canManage={permits({ permissions: ctx.principal.permissions }, "manage")} notice={notice} />);
  });

  admin.get("/settings/team/invite", requireAdmin("manage"), async (c) => {
    await tenantContextOf(c);
    return page(c, "Invite a team member", <InvitePage email="" role="read" errors={[]} />);
  });

  admin.post("/settings/team/invite", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const body = await c.req.parseBody();
    const email = formText(body, "email", 400);
    const role = formText(body, "role", 20);
    const errors: FormError[] = [];
    let status: 409 | 422 = 422;
    if (!email.trim()) errors.push({ field: "email", message: "Enter their email address" });
    if (!(ADMIN_ROLES as readonly string[]).includes(role)) errors.push({ field: "role-manage", message: "Select a role" });
    if (errors.length === 0) {
      try {
        await inviteTeamMember(ctx, { email, role });
        return c.redirect(`${TEAM_PATH}?done=invited`, 303);
      } catch (err) {
        errors.push(...serviceFormErrors(err, roleField, "email"));
        status = statusOf(err);
      }
    }
    return page(c, "Invite a team member", <InvitePage email={email} role={role} errors={errors} />, status);
  });

  admin.get("/settings/team/:id", requireAdmin("read"), async (c) => {
    const ctx = await tenantContextOf(c);
    const member = await ownMember(ctx, c.req.param("id"));
    const notice = { role: "Role changed: their sessions have ended", same: "The role is unchanged", resent: "A new sign-in link was sent" }[c.req.query("done") ?? ""];
    return page(c, `Team member ${member.email}`, <MemberPage member={member} you={c.get("admin")?.userId === member.id} canManage={permits({ permissions: ctx.principal.permissions }, "manage")} role={member.role} errors={[]} notice={notice} />);
  });

  admin.post("/settings/team/:id/role", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const member = await ownMember(ctx, c.req.param("id"));
    const role = formText(await c.req.parseBody(), "role", 20);
    try {
      const { changed } = await ownRow("team member", member.id, (id) => changeTeamMemberRole(ctx, id, role));
      return c.redirect(`${TEAM_PATH}/${member.id}?done=${changed ? "role" : "same"}`, 303);
    } catch (err) {
      const errors = serviceFormErrors(err, roleField, "role-manage");
      return page(c, `Team member ${member.email}`, <MemberPage member={member} you={c.get("admin")?.userId === member.id} canManage role={role} errors={errors} />, statusOf(err));
    }
  });

  admin.post("/settings/team/:id/resend", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const member = await ownMember(ctx, c.req.param("id"));
    await ownRow("team member", member.id, (id) => resendSignInLink(ctx, id));
    return c.redirect(`${TEAM_PATH}/${member.id}?done=resent`, 303);
  });

  admin.get("/settings/team/:id/remove", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const member = await ownMember(ctx, c.req.param("id"));
    return page(c, "Remove team member", <ConfirmRemove member={member} errors={[]} />);
  });

  admin.post("/settings/team/:id/remove", requireAdmin("manage"), async (c) => {
    const ctx = await tenantContextOf(c);
    const member = await ownMember(ctx, c.req.param("id"));
    try {
      await ownRow("team member", member.id, (id) => removeTeamMember(ctx, id));
      return c.redirect(`${TEAM_PATH}?done=removed`, 303);
    } catch (err) {
      return page(c, "Remove team member", <ConfirmRemove member={member} errors={serviceFormErrors(err, () => "remove", "remove")} />, statusOf(err));
    }
  });
}

function RoleRadios({ role, error, legend }: { role: string; error?: string; legend: string }) {
  return (
    <div class={error ? "form-group form-group--error" : "form-group"}>
      <fieldset class="fieldset" aria-describedby={error ? "role-error" : undefined}>
        <legend class="fieldset__legend">{legend}</legend>
        <FieldError id="role" message={error} />
        {ROLE_ORDER.map((r) => (
          <div class="radios__item">
            <input class="radios__input" id={`role-${r}`} name="role" type="radio" value={r} checked={role === r} />
            <label class="label radios__label" for={`role-${r}`}>
              {ROLE_LABELS[r]}
            </label>
          </div>
        ))}
      </fieldset>
    </div>
  );
}

const lastSignIn = (m: TeamMember) => (m.lastSignInAt ? <time datetime={m.lastSignInAt}>{when(m.lastSignInAt)}</time> : <span class="hint">Never</span>);

function TeamPage(props: { tenantName: string; list: { items: TeamMember[]; truncated: boolean }; you: string | null; canManage: boolean; notice?: string }) {
  return (
    <>
      <SettingsHead tenantName={props.tenantName} title="Team members" notice={props.notice} />
      <p class="body">The people who sign in to these pages for your tenant. Read views, send also sends messages, manage also changes templates, settings and the team.</p>
      {props.canManage && (
        <a class="button" href={`${TEAM_PATH}/invite`} role="button" draggable="false">
          Invite a team member
        </a>
      )}
      {props.list.items.length === 0 ? (
        <p class="body">No one has been invited yet.</p>
      ) : (
        <table class="table">
          <caption class="table__caption">Your team</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Last signed in</th>
              <th scope="col">Invited</th>
            </tr>
          </thead>
          <tbody>
            {props.list.items.map((m) => (
              <tr>
                <td>
                  <a href={`${TEAM_PATH}/${m.id}`}>{m.email}</a>
                  {m.id === props.you && " (you)"}
                </td>
                <td>{m.role === "manage" ? <Tag tone="blue">{ROLE_NAMES[m.role]}</Tag> : <Tag>{ROLE_NAMES[m.role]}</Tag>}</td>
                <td>{lastSignIn(m)}</td>
                <td>
                  <time datetime={m.createdAt}>{when(m.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.list.truncated && <p class="body">Only the first {props.list.items.length} members are listed.</p>}
    </>
  );
}

function InvitePage({ email, role, errors }: { email: string; role: string; errors: FormError[] }) {
  return (
    <>
      <ErrorSummary errors={errors} />
      <a class="back-link" href={TEAM_PATH}>
        Back to team members
      </a>
      <h1 class="heading-l">Invite a team member</h1>
      <form method="post" action={`${TEAM_PATH}/invite`} novalidate>
        <TextField id="email" name="email" type="email" label="Email address" hint="They get a sign-in link that works once, for 24 hours" value={email} error={errorFor(errors, "email")} autocomplete="off" />
        <RoleRadios role={role} error={errorFor(errors, "role-manage")} legend="Role" />
        <button type="submit" class="button">
          Send invitation
        </button>
      </form>
    </>
  );
}

function MemberPage(props: { member: TeamMember; you: boolean; canManage: boolean; role: string; errors: FormError[]; notice?: string }) {
  const m = props.member;
  return (
    <>
      <ErrorSummary errors={props.errors} />
      <Notice text={props.notice} />
      <a class="back-link" href={TEAM_PATH}>
        Back to team members
      </a>
      <span class="caption">Team member</span>
      <h1 class="heading-l">
        {m.email}
        {props.you && " (you)"}
      </h1>
      <dl class="summary-list">
        <SummaryRow label="Email">{m.email}</SummaryRow>
        <SummaryRow label="Role">{ROLE_LABELS[m.role]}</SummaryRow>
        <SummaryRow label="Last signed in">{lastSignIn(m)}</SummaryRow>
        <SummaryRow label="Invited">{when(m.createdAt)}</SummaryRow>
      </dl>
      {props.canManage &&
        (props.you ? (
          <p class="body">Another manage user can change your role or remove you from the team.</p>
        ) : (
          <>
            <h2 class="heading-m">Change role</h2>
            <form method="post" action={`${TEAM_PATH}/${m.id}/role`} novalidate>
              <RoleRadios role={props.role} error={errorFor(props.errors, "role-manage")} legend="Role" />
              <p class="hint">Changing the role ends their sessions: the new role applies from their next sign-in.</p>
              <button type="submit" class="button">
                Change role
              </button>
            </form>
            <h2 class="heading-m">Sign-in link</h2>
            <form method="post" action={`${TEAM_PATH}/${m.id}/resend`}>
              <p class="body">Their link works once, for 24 hours. Send a new one if it has been used or has expired.</p>
              <button type="submit" class="button button--secondary">
                Send a new sign-in link
              </button>
            </form>
            <p class="body">
              <a href={`${TEAM_PATH}/${m.id}/remove`}>
                Remove<span class="visually-hidden"> {m.email}</span> from the team
              </a>
            </p>
          </>
        ))}
    </>
  );
}

function ConfirmRemove({ member, errors }: { member: TeamMember; errors: FormError[] }) {
  return (
    <ConfirmPage
      errors={errors}
      back={`${TEAM_PATH}/${member.id}`}
      backText="Back"
      heading={
        <>
          Are you sure you want to remove {member.email} from the team?
        </>
      }
      action={`${TEAM_PATH}/${member.id}/remove`}
      formId="remove"
      button="Remove team member"
    >
      <dl class="summary-list">
        <SummaryRow label="Email">{member.email}</SummaryRow>
        <SummaryRow label="Role">{ROLE_LABELS[member.role]}</SummaryRow>
      </dl>
      <p class="body">Their sessions end now and their sign-in links stop working. Invite them again to give them back access.</p>
    </ConfirmPage>
  );
}
