import type { Env } from "../env";
import { ApiError } from "./errors/api-error";

/**
 * Tenant regions (README "Regions"). Each region is its own deployment (`wrangler deploy --env
 * <region>`) with its own D1 database, R2 bucket, queues and Durable Objects; `DATA_REGION` names
 * the deployment's region. A deployment without `DATA_REGION` is single-region: it serves every
 * tenant it holds and marks no ids.
 *
 * How a region knows a tenant's home without a lookup: the home is written into the tenant id.
 * The last eight hex digits of a tenant id created in a region are {@link MARKER_TAG} followed by
 * the region's four-digit code below, so the id in an API key (`{name}-{tenantId}-{secret}`) or
 * in a JWT's `iss` names the home before anything is read from D1, and no personal data is
 * involved. The rest of the id is a UUIDv7 as before (time-ordered, 62 − 32 = 30 random bits
 * plus the per-isolate sequence are left, ample for tenants created by an operator).
 *
 * A code is never reused or renumbered: ids carry it for ever. Ids made before regions (or by a
 * single-region deployment) have no marker and belong to the deployment that holds them; an
 * unmarked id ends in a marker by chance with probability 3/2³², which is accepted.
 */
export const REGION_CODES = { ca: "0001", eu: "0002", us: "0003" } as const;
export type Region = keyof typeof REGION_CODES;
export const REGIONS = Object.keys(REGION_CODES) as Region[];

/** The four hex digits before the region code in a marked tenant id. */
export const MARKER_TAG = "ed9e";

/** Cloudflare's Durable Object jurisdictions this code accepts in DO_JURISDICTION. */
const DO_JURISDICTIONS = ["eu", "us", "fedramp", "fedramp-high"] as const;
/** What each region's objects may be restricted to: its own jurisdiction, or none where Cloudflare has none (ca). */
const JURISDICTIONS_OF: Record<Region, readonly string[]> = { ca: ["none"], eu: ["eu"], us: ["us", "fedramp", "fedramp-high"] };
type DoJurisdiction = (typeof DO_JURISDICTIONS)[number];
const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
type LocationHint = (typeof LOCATION_HINTS)[number];

export function isRegion(value: unknown): value is Region {
  return typeof value === "string" && Object.hasOwn(REGION_CODES, value);
}

/**
 * The home region written in a tenant id, or null for an unmarked id (a tenant of the deployment
 * that holds it).
 *
 * @example
 * ```ts
 * homeOfTenantId("0193b1c2-7d4e-7a00-8b1c-1f2eed9e0002") // "eu"
 * homeOfTenantId("0193b1c2-7d4e-7a00-8b1c-1f2e3d4c5b6a") // null
 * ```
 */
export function homeOfTenantId(tenantId: string): Region | null {
  const tail = tenantId.slice(-8).toLowerCase();
  if (tenantId.length !== 36 || !tail.startsWith(MARKER_TAG)) return null;
  const code = tail.slice(4);
  return REGIONS.find((r) => REGION_CODES[r] === code) ?? null;
}

/**
 * Writes `region`'s marker into a UUID (the last eight hex digits), keeping its version and
 * variant bits and its time order.
 *
 * @example
 * ```ts
 * markTenantId("0193b1c2-7d4e-7a00-8b1c-1f2e3d4c5b6a", "eu") // "0193b1c2-7d4e-7a00-8b1c-1f2eed9e0002"
 * ```
 */
export function markTenantId(uuid: string, region: Region): string {
  return `${uuid.slice(0, -8)}${MARKER_TAG}${REGION_CODES[region]}`;
}

/**
 * This deployment's region (`DATA_REGION`), or null for a single-region deployment. A value that is
 * not a known region is a configuration error (503), never silently "no region".
 */
export function dataRegion(env: Pick<Env, "DATA_REGION">): Region | null {
  const value = env.DATA_REGION?.trim();
  if (!value) return null;
  if (!isRegion(value)) {
    throw new ApiError("misconfigured", { detail: `DATA_REGION must be one of ${REGIONS.join(", ")} (got "${value}")` });
  }
  return value;
}

/**
 * Every region's base URL from `REGION_BASE_URLS` (`ca=https://ca.example,eu=https://eu.example`),
 * in the order written. Unknown regions and values that are not http(s) URLs are a 503, so a typo
 * never sends a client to a wrong place.
 *
 * @example
 * ```ts
 * regionBaseUrls({ REGION_BASE_URLS: "ca=https://ca.notify.example.gov" }) // [{ region: "ca", baseUrl: "https://ca.notify.example.gov" }]
 * ```
 */
export function regionBaseUrls(env: Pick<Env, "REGION_BASE_URLS">): Array<{ region: Region; baseUrl: string }> {
  const text = env.REGION_BASE_URLS?.trim();
  if (!text) return [];
  // A trailing or doubled comma is an empty entry, not a mistake worth a 503.
  return text.split(",").filter((entry) => entry.trim() !== "").map((entry) => {
    const eq = entry.indexOf("=");
    const region = entry.slice(0, eq).trim();
    const baseUrl = entry.slice(eq + 1).trim().replace(/\/+$/, "");
    let ok = eq > 0 && isRegion(region);
    try {
      ok &&= ["http:", "https:"].includes(new URL(baseUrl).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new ApiError("misconfigured", { detail: `REGION_BASE_URLS: "${entry.trim()}" is not <region>=<http(s) URL> with a region of ${REGIONS.join(", ")}` });
    return { region: region as Region, baseUrl };
  });
}

/**
 * Refuses, with a 421 naming the home region's base URL, a tenant whose id marks another region
 * than this deployment's. Called before anything about the tenant is read or written. A
 * single-region deployment and unmarked ids pass.
 *
 * @example
 * ```ts
 * assertHomedHere(c.env, parsed.tenantId); // throws ApiError("misdirected") for an eu tenant in the ca deployment
 * ```
 */
export function assertHomedHere(env: Pick<Env, "DATA_REGION" | "REGION_BASE_URLS">, tenantId: string): void {
  const here = dataRegion(env);
  const home = homeOfTenantId(tenantId);
  if (!here || !home || home === here) return;
  const baseUrl = regionBaseUrls(env).find((r) => r.region === home)?.baseUrl;
  throw new ApiError("misdirected", {
    detail: baseUrl
      ? `This tenant's home region is ${home}; this is region ${here}. Send its requests to ${baseUrl}`
      : `This tenant's home region is ${home}; this is region ${here}, which has no base URL for ${home} in REGION_BASE_URLS`,
    ...(baseUrl ? { headers: { Link: `<${baseUrl}>; rel="alternate"; title="home region ${home}"` } } : {}),
  });
}

/**
 * Where this deployment's Durable Objects live: `{jurisdiction}` from DO_JURISDICTION (`eu`, `us`,
 * … or `none`) and `{locationHint}` from DO_LOCATION_HINT. A region deployment must say which:
 * DATA_REGION set and DO_JURISDICTION unset is a 503, so a forgotten variable never quietly
 * creates objects outside the jurisdiction.
 *
 * Local workerd does not implement `namespace.jurisdiction()`, so `npm start` runs the regions
 * with DO_JURISDICTION_DEV_OVERRIDE=ignore. That override is honoured only together with
 * DEV_SINK=true (local development, never production); anywhere else it is refused with a 503.
 */
export function durablePlacement(env: Pick<Env, "DATA_REGION" | "DO_JURISDICTION" | "DO_LOCATION_HINT" | "DO_JURISDICTION_DEV_OVERRIDE" | "DEV_SINK">): {
  jurisdiction?: DoJurisdiction;
  locationHint?: LocationHint;
} {
  const override = env.DO_JURISDICTION_DEV_OVERRIDE?.trim();
  if (override) {
    if (override !== "ignore" || env.DEV_SINK !== "true") {
      throw new ApiError("misconfigured", {
        detail: "DO_JURISDICTION_DEV_OVERRIDE is for local workerd only (value `ignore`, with DEV_SINK=true); a deployment must not set it",
      });
    }
    return {};
  }
  const jurisdiction = env.DO_JURISDICTION?.trim();
  const hint = env.DO_LOCATION_HINT?.trim();
  if (hint && !(LOCATION_HINTS as readonly string[]).includes(hint)) {
    throw new ApiError("misconfigured", { detail: `DO_LOCATION_HINT must be one of ${LOCATION_HINTS.join(", ")}` });
  }
  const locationHint = hint ? (hint as LocationHint) : undefined;
  if (!jurisdiction) {
    if (dataRegion(env)) throw new ApiError("misconfigured", { detail: "DATA_REGION is set but DO_JURISDICTION is not: set it to the region's jurisdiction or `none`" });
    return locationHint ? { locationHint } : {};
  }
  if (jurisdiction !== "none" && !(DO_JURISDICTIONS as readonly string[]).includes(jurisdiction)) {
    throw new ApiError("misconfigured", { detail: `DO_JURISDICTION must be one of ${DO_JURISDICTIONS.join(", ")} or none` });
  }
  const region = dataRegion(env);
  if (region && !JURISDICTIONS_OF[region].includes(jurisdiction)) {
    throw new ApiError("misconfigured", { detail: `DO_JURISDICTION for region ${region} must be ${JURISDICTIONS_OF[region].join(" or ")}, not ${jurisdiction}` });
  }
  if (jurisdiction === "none") return locationHint ? { locationHint } : {};
  return { jurisdiction: jurisdiction as DoJurisdiction, ...(locationHint ? { locationHint } : {}) };
}

/**
 * A Durable Object namespace restricted to this deployment's jurisdiction (when it has one), and
 * the options for `get` (the location hint, which only matters when an object is first created).
 *
 * @example
 * ```ts
 * const { namespace, options } = placedNamespace(env, env.TENANT_GATE);
 * const stub = namespace.get(namespace.idFromName(tenantId), options);
 * ```
 */
export function placedNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  env: Parameters<typeof durablePlacement>[0],
  namespace: DurableObjectNamespace<T>,
): { namespace: DurableObjectNamespace<T>; options: DurableObjectNamespaceGetDurableObjectOptions | undefined } {
  const { jurisdiction, locationHint } = durablePlacement(env);
  return {
    namespace: jurisdiction ? namespace.jurisdiction(jurisdiction) : namespace,
    options: locationHint ? { locationHint } : undefined,
  };
}
