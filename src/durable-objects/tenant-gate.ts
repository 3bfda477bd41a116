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

/**
 * One object per tenant (idFromName(tenantId)): the tenant's rate limits live here so every
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
