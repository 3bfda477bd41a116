import type { Hono } from "hono";
import { countOperatorSessions, endOperatorSessions } from "../../../services/admin-identity";
import { operatorContextOf } from "../../context";
import type { AdminEnv } from "../../env";
import { page } from "../../layout";
import { requireAdmin } from "../../middleware";
import { clearSessionCookie } from "../../session-cookie";

export const SESSIONS_PATH = "/admin/sessions";

/**
 * `GET /admin/sessions` (operator): the confirmation page for signing out every operator
 * session (how many are live, that yours ends too). `POST /admin/sessions` ends them all in
 * one batch with its audit entry (`admin.operator.sessions_ended`), for a token that may have
 * leaked or a browser left signed in somewhere; tenant users stay signed in.
 */
export function registerSessionsScreen(admin: Hono<AdminEnv>): void {
  admin.get("/sessions", requireAdmin("operator"), async (c) => {
    const live = await countOperatorSessions(operatorContextOf(c));
    return page(c, "Sign out every operator session", <ConfirmPage live={live} />);
  });

  admin.post("/sessions", requireAdmin("operator"), async (c) => {
    const ctx = operatorContextOf(c);
    await endOperatorSessions({ ...ctx, actor: "operator" });
    clearSessionCookie(c);
    return c.redirect("/admin/sign-in", 303);
  });
}

function ConfirmPage({ live }: { live: number }) {
  return (
    <>
      <a class="back-link" href="/admin/providers">
        Back to providers
      </a>
      <h1 class="heading-l">Sign out every operator session</h1>
      <p class="body">
        {live === 1 ? "1 operator session is" : `${live} operator sessions are`} signed in now, yours included. Every one of them ends, wherever it is, and everyone signs in again. Tenant users stay signed in.
      </p>
      <p class="body">Do this if the admin token may have leaked (then change ADMIN_TOKEN too) or a browser was left signed in.</p>
      <form method="post" action={SESSIONS_PATH}>
        <button type="submit" class="button button--warning">
          Sign out every operator session
        </button>
      </form>
      <p class="body">
        <a href="/admin/providers">Cancel</a>
      </p>
    </>
  );
}
