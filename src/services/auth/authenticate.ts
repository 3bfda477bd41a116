import { decodeProtectedHeader } from "jose";
import type { Db } from "../../db/client";
import type { ApiKeyRow, TenantRow } from "../../db/schema";
import type { TenantPrincipal } from "../../lib/app-env";
import { sha256Hex } from "../../lib/crypto/hash";
import { ApiError } from "../../lib/errors/api-error";
import { isUuid } from "../../lib/ids";
import { assertHomedHere } from "../../lib/regions";
import type { Env } from "../../env";
import { parseCombinedKey } from "../api-keys/combined-key";
import { checkPayloadClaim, checkRequestClaim, checkTimeClaims, readUnverifiedClaims, signedWith } from "./jwt";
import { signingKeys } from "./signing-keys";
import { cachedCredential } from "./credential-cache";
import { keyUseDue, recordKeyUse } from "./key-use";
import { findKeyBySecretHash, loadTenantWithKeys } from "./tenant-keys";

export interface AuthRequest {
  authorization?: string;
  apiKey?: string;
  method: string;
  path: string;
  search: string;
  rawBody: () => Promise<string>;
}

export interface AuthDeps {
  db: Db;
  encryptionKey: string | undefined;
  /** This deployment's region settings: a credential naming a tenant homed elsewhere is a 421 before any read. */
  regions?: Pick<Env, "DATA_REGION" | "REGION_BASE_URLS">;
  nowSeconds?: number;
  /**
   * Runs work after the response (the middleware passes `executionCtx.waitUntil`): recording an
   * accepted key's last use (key-use.ts) goes there, never on the request's path. Without it no
   * use is recorded.
   */
  defer?: (work: Promise<unknown>) => void;
  /** The instant a key's use is recorded at; tests set it. */
  nowMs?: number;
}

const refuse = (detail: string) => new ApiError("forbidden", { detail });

function principal(tenant: TenantRow, key: ApiKeyRow, authMethod: TenantPrincipal["authMethod"], deps: AuthDeps): TenantPrincipal {
  const now = deps.nowMs ?? Date.now();
  // Only an accepted key counts as used; the check is a map lookup, the write (if any) deferred.
  if (deps.defer && keyUseDue(key, now)) deps.defer(recordKeyUse(deps.db, key, now));
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantStatus: tenant.status,
    keyId: key.id,
    keyName: key.name,
    keyType: key.type,
    permissions: key.permissions,
    authMethod,
    tenant,
  };
}

/**
 * Identifies the tenant behind a request. Accepted credentials, in order:
 * `Authorization: Bearer <JWT>` (GOV.UK Notify style), `Authorization: ApiKey-v1 <key>`
 * (GC Notify style) and `X-API-Key: <key>`, where a key is the combined
 * `{name}-{tenantId}-{secret}` form. 401 means no usable credential was presented; 403 means
 * one was presented and refused, with the reason in `detail`; 421 means it names a tenant whose
 * home is another region (read from the tenant id, lib/regions.ts), answered before D1 is read.
 */
export async function authenticate(req: AuthRequest, deps: AuthDeps): Promise<TenantPrincipal> {
  const authorization = req.authorization?.trim();
  if (authorization) {
    const space = authorization.indexOf(" ");
    const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
    const credential = space === -1 ? "" : authorization.slice(space + 1).trim();
    if (scheme === "bearer" && credential) return authenticateJwt(credential, req, deps);
    if (scheme === "apikey-v1" && credential) return authenticateKey(credential, deps);
    throw new ApiError("unauthorized", {
      detail: "Unauthorized: use `Authorization: Bearer <JWT>` or `X-API-Key: <key>`",
      headers: { "WWW-Authenticate": 'Bearer realm="tenant"' },
    });
  }
  if (req.apiKey?.trim()) return authenticateKey(req.apiKey.trim(), deps);
  throw new ApiError("unauthorized", {
    detail: "Unauthorized: authentication token must be provided (Authorization: Bearer <JWT> or X-API-Key)",
    headers: { "WWW-Authenticate": 'Bearer realm="tenant"' },
  });
}

/**
 * How many of a tenant's keys one JWT is checked against: its newest active keys, then revoked
 * ones, within this budget. Together with the per-isolate signing-key cache (signing-keys.ts) this
 * bounds what an unauthenticated caller can make one request cost, whatever the number of keys.
 * A token whose header names its key (`kid` = the key id) is checked against that key alone.
 */
export const MAX_JWT_KEYS_TRIED = 20;

async function authenticateJwt(token: string, req: AuthRequest, deps: AuthDeps): Promise<TenantPrincipal> {
  const claims = readUnverifiedClaims(token);
  // Time claims first: a stale or replayed token is refused before any key is touched.
  checkTimeClaims(claims, deps.nowSeconds ?? Math.floor(Date.now() / 1000));
  const kid = keyIdOf(token);
  const iss = claims.iss.toLowerCase();
  if (deps.regions) assertHomedHere(deps.regions, iss);
  const found = await cachedCredential(`jwt:${iss}:${kid ?? ""}`, () => loadTenantWithKeys(deps.db, iss, { limit: MAX_JWT_KEYS_TRIED, ...(kid ? { keyId: kid } : {}) }));
  if (!found) throw refuse("Invalid token: tenant not found (iss must be your tenant id)");
  if (found.keys.length === 0) throw refuse(kid ? "Invalid token: kid names no API key of this tenant" : "Invalid token: tenant has no API keys");

  let matched: ApiKeyRow | undefined;
  let signingKey: CryptoKey | undefined;
  for (const key of found.keys) {
    const hmac = await signingKeys.get(key, deps.encryptionKey);
    if (hmac && (await signedWith(token, hmac))) {
      matched = key;
      signingKey = hmac;
      break;
    }
  }
  if (!matched) throw refuse("Invalid token: signature does not match any API key of this tenant");
  if (matched.revokedAt) throw refuse("Invalid token: API key revoked");

  await checkRequestClaim(claims, req.method, req.path, req.search, signingKey);
  await checkPayloadClaim(claims, req.rawBody, signingKey);
  return principal(found.tenant, matched, "jwt", deps);
}

/**
 * The `kid` header (a key id), or undefined when there is none (Notify clients send none). A
 * `kid` that cannot be a key id is refused rather than ignored, so a token is never checked
 * differently from what it says.
 */
function keyIdOf(token: string): string | undefined {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
  if (kid === undefined) return undefined;
  if (typeof kid !== "string" || !isUuid(kid)) throw refuse("Invalid token: kid must be the id of one of your API keys");
  return kid.toLowerCase();
}

async function authenticateKey(value: string, deps: AuthDeps): Promise<TenantPrincipal> {
  const parsed = parseCombinedKey(value);
  if (!parsed) throw refuse("Invalid API key: expected the combined form {name}-{tenantId}-{secret}");
  if (deps.regions) assertHomedHere(deps.regions, parsed.tenantId);
  const hash = await sha256Hex(parsed.secret);
  const found = await cachedCredential(`key:${hash}`, () => findKeyBySecretHash(deps.db, hash));
  if (!found || found.tenant.id !== parsed.tenantId) throw refuse("Invalid API key: API key not found");
  if (found.key.revokedAt) throw refuse("Invalid API key: API key revoked");
  return principal(found.tenant, found.key, "api-key", deps);
}
