import { eq, lt, sql } from "drizzle-orm";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { adminSignInAttempts } from "../../db/schema";
import { toBase64Url } from "../../lib/crypto/encoding";
import { timingSafeEqualString } from "../../lib/crypto/hash";
import type { Env } from "../../env";
import type { OperatorContext } from "../context";

/** Failed admin-token sign-ins one client may make per minute before it is refused unheard. */
export const MAX_FAILED_SIGN_INS_PER_MINUTE = 5;

export type OperatorSignIn = { ok: true } | { ok: false; reason: "wrong_token" | "too_many_attempts" | "disabled" };

/**
 * Checks the admin token an operator typed (constant-time). A client (its IP address) may have
 * MAX_FAILED_SIGN_INS_PER_MINUTE tokens compared per minute; beyond that it is refused without
 * the token being compared, so guessing is bounded to a few tries a minute. The attempt is
 * counted before the comparison, in one upsert that returns the new count: a check and a later
 * increment let parallel requests all pass the check before any increment landed. A right token
 * gives its count back, so only failures use up the minute. The same batch forgets earlier
 * minutes. Disabled when Cloudflare Access is configured (Access signs operators in) or no
 * ADMIN_TOKEN is set.
 *
 * @example
 * ```ts
 * const result = await signInOperator(ctx, { token: form.token, client: c.req.header("cf-connecting-ip") ?? "unknown" });
 * ```
 */
export async function signInOperator(ctx: Pick<OperatorContext, "db" | "env" | "now">, input: { token: string; client: string }): Promise<OperatorSignIn> {
  const expected = ctx.env.ADMIN_TOKEN;
  if (!expected || accessConfig(ctx.env)) return { ok: false, reason: "disabled" };
  const minute = Math.floor(ctx.now.getTime() / 60_000);
  const bucket = `${input.client.slice(0, 64)}:${minute}`;
  const [counted] = await ctx.db.batch([
    ctx.db
      .insert(adminSignInAttempts)
      .values({ bucket, failures: 1, minute })
      .onConflictDoUpdate({ target: adminSignInAttempts.bucket, set: { failures: sql`${adminSignInAttempts.failures} + 1` } })
      .returning({ failures: adminSignInAttempts.failures }),
    ctx.db.delete(adminSignInAttempts).where(lt(adminSignInAttempts.minute, minute - 1)),
  ]);
  if ((counted[0]?.failures ?? Infinity) > MAX_FAILED_SIGN_INS_PER_MINUTE) return { ok: false, reason: "too_many_attempts" };
  // Bounded before comparing, so a huge paste costs nothing.
  if (input.token.length <= 512 && timingSafeEqualString(input.token.trim(), expected)) {
    await ctx.db.update(adminSignInAttempts).set({ failures: sql`max(${adminSignInAttempts.failures} - 1, 0)` }).where(eq(adminSignInAttempts.bucket, bucket));
    return { ok: true };
  }
  return { ok: false, reason: "wrong_token" };
}

/** Cloudflare Access's settings, when both are set: the team's domain and the application's AUD tag. */
export function accessConfig(env: Pick<Env, "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">): { issuer: string; audience: string } | null {
  const team = env.ACCESS_TEAM_DOMAIN?.trim();
  const audience = env.ACCESS_AUD?.trim();
  if (!team || !audience) return null;
  // Either `myteam` or `myteam.cloudflareaccess.com` (with or without https://).
  const host = team.replace(/^https:\/\//, "").replace(/\/+$/, "");
  return { issuer: `https://${host.includes(".") ? host : `${host}.cloudflareaccess.com`}`, audience };
}

const jwksByIssuer = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Verifies Cloudflare Access's `Cf-Access-Jwt-Assertion` (signature by the team's published keys,
 * `aud`, `iss`, expiry) and returns the signed-in identity's email, or null when Access is not
 * configured or the assertion is missing or invalid. The key set is fetched once per isolate and
 * refreshed by jose when a new `kid` appears.
 *
 * @example
 * ```ts
 * const who = await verifyAccessAssertion(ctx.env, c.req.header("cf-access-jwt-assertion"));
 * ```
 */
export async function verifyAccessAssertion(env: Pick<Env, "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">, assertion: string | undefined): Promise<{ email: string | null } | null> {
  const config = accessConfig(env);
  if (!config || !assertion || assertion.length > 8192) return null;
  let jwks = jwksByIssuer.get(config.issuer);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(`${config.issuer}/cdn-cgi/access/certs`));
    jwksByIssuer.set(config.issuer, jwks);
  }
  try {
    const { payload } = await jwtVerify(assertion, jwks, { issuer: config.issuer, audience: config.audience, algorithms: ["RS256"] });
    return { email: typeof payload.email === "string" ? payload.email : null };
  } catch {
    return null;
  }
}

/**
 * What an operator session is started with, as admin_sessions.credential keeps it: `access`
 * under Cloudflare Access, else `token:` and the first 16 bytes of the admin token's SHA-256
 * (base64url), so rotating ADMIN_TOKEN ends the sessions the old one started; null when neither
 * signs operators in.
 *
 * @example
 * ```ts
 * await operatorCredential({ ADMIN_TOKEN: "s3cret" }) // "token:…" (22 characters after the colon)
 * ```
 */
export async function operatorCredential(env: Pick<Env, "ADMIN_TOKEN" | "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">): Promise<string | null> {
  if (accessConfig(env)) return "access";
  if (!env.ADMIN_TOKEN) return null;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(env.ADMIN_TOKEN)));
  return `token:${toBase64Url(digest.slice(0, 16))}`;
}

/**
 * Whether an operator session still holds, checked on every request: under Cloudflare Access
 * only while the request carries a valid `Cf-Access-Jwt-Assertion` (Access sends one with every
 * request it lets through, so a session cookie alone, replayed from elsewhere or after Access
 * revoked the person, is not enough); otherwise only while the session was started with the
 * current admin token (a session from before the credential was recorded has none, and ends).
 *
 * @example
 * ```ts
 * if (!(await operatorSessionHolds(c.env, session.credential, c.req.header("cf-access-jwt-assertion")))) signedOut();
 * ```
 */
export async function operatorSessionHolds(env: Pick<Env, "ADMIN_TOKEN" | "ACCESS_TEAM_DOMAIN" | "ACCESS_AUD">, credential: string | null | undefined, assertion: string | undefined): Promise<boolean> {
  if (accessConfig(env)) return (await verifyAccessAssertion(env, assertion)) !== null;
  const current = await operatorCredential(env);
  return current !== null && credential === current;
}
