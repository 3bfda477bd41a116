import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this take. */
  remaining: number;
  /** Seconds until `cost` tokens will be available again (0 when allowed). */
  retryAfterSeconds: number;
  limit: number;
}

export interface AdmitRequest {
  /** Request bucket, e.g. `send:live` (GOV.UK Notify limits per tenant and key type). */
  bucket: string;
  perMinute: number;
  /** Messages this request creates, per daily counter, with the counter's limit. */
  daily: Record<string, { count: number; limit: number }>;
}

export type AdmitResult =
  | { allowed: true; remaining: number; limit: number }
  | { allowed: false; reason: "rate"; limit: number; retryAfterSeconds: number }
  | { allowed: false; reason: "daily"; counter: string; limit: number; used: number; retryAfterSeconds: number };

/**
 * One object per tenant (idFromName(tenantId)): the tenant's rate and daily limits live here so every
 * Worker isolate in every location sees the same counts. Buckets persist in the object's SQLite
 * storage, so an eviction does not hand out a fresh allowance.
 */
export class TenantGate extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_ms INTEGER NOT NULL)",
    );
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS daily (day TEXT NOT NULL, counter TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (day, counter))",
    );
  }

  /**
   * One admission decision for a send: a token from the request bucket, and room in each daily
   * counter for the messages it will create. All or nothing, so a refused request consumes
   * nothing. Days are UTC dates; older days are dropped as new ones start.
   */
  admit(request: AdmitRequest, nowMs = Date.now()): AdmitResult {
    const day = new Date(nowMs).toISOString().slice(0, 10);
    for (const [counter, { count, limit }] of Object.entries(request.daily)) {
      if (count === 0) continue;
      const used = this.usedToday(day, counter);
      if (used + count > limit) {
        const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
        return { allowed: false, reason: "daily", counter, limit, used, retryAfterSeconds: Math.ceil((midnight - nowMs) / 1000) };
      }
    }
    const taken = this.take(request.bucket, request.perMinute, 1, nowMs);
    if (!taken.allowed) return { allowed: false, reason: "rate", limit: taken.limit, retryAfterSeconds: taken.retryAfterSeconds };
    this.sql.exec("DELETE FROM daily WHERE day < ?", day);
    for (const [counter, { count }] of Object.entries(request.daily)) {
      if (count === 0) continue;
      this.sql.exec(
        "INSERT INTO daily (day, counter, used) VALUES (?, ?, ?) ON CONFLICT(day, counter) DO UPDATE SET used = used + excluded.used",
        day,
        counter,
        count,
      );
    }
    return { allowed: true, remaining: taken.remaining, limit: taken.limit };
  }

  /** Gives back daily room taken by an admitted request that then failed to be stored. */
  refund(daily: Record<string, number>, nowMs = Date.now()): void {
    const day = new Date(nowMs).toISOString().slice(0, 10);
    for (const [counter, count] of Object.entries(daily)) {
      this.sql.exec("UPDATE daily SET used = MAX(0, used - ?) WHERE day = ? AND counter = ?", count, day, counter);
    }
  }

  private usedToday(day: string, counter: string): number {
    return this.sql.exec<{ used: number }>("SELECT used FROM daily WHERE day = ? AND counter = ?", day, counter).toArray()[0]?.used ?? 0;
  }

  /**
   * Token bucket holding `perMinute` tokens at most, refilled continuously at `perMinute / 60`
   * per second. Takes `cost` tokens if they are there; otherwise takes nothing.
   */
  take(bucket: string, perMinute: number, cost = 1, nowMs = Date.now()): TakeResult {
    const capacity = Math.max(1, perMinute);
    const refillPerMs = capacity / 60_000;
    const row = this.sql
      .exec<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM buckets WHERE name = ?", bucket)
      .toArray()[0];
    const elapsed = row ? Math.max(0, nowMs - row.updated_ms) : 0;
    const available = row ? Math.min(capacity, row.tokens + elapsed * refillPerMs) : capacity;
    const allowed = available >= cost;
    const tokens = allowed ? available - cost : available;
    this.sql.exec(
      "INSERT INTO buckets (name, tokens, updated_ms) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms",
      bucket,
      tokens,
      nowMs,
    );
    return {
      allowed,
      remaining: Math.floor(tokens),
      retryAfterSeconds: allowed ? 0 : Math.ceil((cost - available) / refillPerMs / 1000),
      limit: capacity,
    };
  }
}
