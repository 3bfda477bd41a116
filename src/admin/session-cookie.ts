import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from "../services/admin-identity";
import type { AdminEnv } from "./env";

/** Sets the session cookie: `__Host-`, HttpOnly, Secure, SameSite=Strict, Path=/, lasting at most the session's absolute life. */
export function setSessionCookie(c: Context<AdminEnv>, id: string): void {
  setCookie(c, SESSION_COOKIE, id, { httpOnly: true, secure: true, sameSite: "Strict", path: "/", maxAge: SESSION_ABSOLUTE_MS / 1000 });
}

/** Removes the session cookie from the browser. */
export function clearSessionCookie(c: Context<AdminEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
}
