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
  /**
   * The duplicate window (send/duplicate-window.ts), decided in the same call: refused as a
   * `duplicate` when `hash` is remembered for another notification than `replacing`; taken for
   * `notifyId` when the request is admitted.
   */
  window?: { hash: string; notifyId: string; windowMs: number; replacing?: string };
  /**
   * The request's `Idempotency-Key`, decided in the same call: a key already used answers as
   * beginKey would (replay, in flight, mismatch) and nothing is admitted; a new key is taken for
   * this request when it is admitted or answered as a duplicate, never when it is refused.
   */
  key?: { key: string; fingerprint: string };
  /** This request's token was taken by an earlier call for it (a duplicate of a failed original, sent anew). */
  tokenTaken?: boolean;
}

/** What a request carrying an `Idempotency-Key` should do (middleware/idempotency-key.ts). */
export type KeyBegin =
  | { kind: "new" }
  | { kind: "in_flight"; retryAfterSeconds: number }
  | { kind: "mismatch" }
  | { kind: "replay"; status: number; headers: Record<string, string>; body: string };

/** A stored answer to replay for a key. */
export interface KeyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How long a finished request's answer is replayed for its key (the IETF draft suggests 24 hours). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;
/**
 * How long a key stays taken by a request still running. Past it the key is free again, so a
 * request whose Worker died mid-way does not lock its key for a day; a send finishes well inside.
 */
export const IDEMPOTENCY_IN_FLIGHT_MS = 60_000;
/** The shortest time between two runs of the alarm that deletes expired keys and window entries. */
export const ALARM_SPACING_MS = 30_000;

export type AdmitResult =
  | { allowed: true; remaining: number; limit: number }
  | { allowed: false; reason: "rate"; limit: number; retryAfterSeconds: number }
  | { allowed: false; reason: "daily"; counter: string; limit: number; used: number; retryAfterSeconds: number }
  | { allowed: false; reason: "duplicate"; notifyId: string; remaining: number; limit: number }
  | { allowed: false; reason: "key"; begun: Exclude<KeyBegin, { kind: "new" }>; remaining: number; limit: number };

/**
 * One object per tenant (idFromName(tenantId)): the tenant's rate and daily limits live here so every
 * Worker isolate in every location sees the same counts. Buckets persist in the object's SQLite
 * storage, so an eviction does not hand out a fresh allowance.
 */
export class TenantGate extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** The UTC day whose earlier days' counters were last dropped: once a day is enough. */
  private prunedDay = "";
  /** When the alarm rings, as this object last set or read it; undefined until read once. */
  private alarmAt: number | null | undefined;
  private readonly buckets = new Map<string, { tokens: number; updated_ms: number }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_ms INTEGER NOT NULL)",
    );
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS daily (day TEXT NOT NULL, counter TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (day, counter))",
    );
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, answer TEXT, expires_ms INTEGER NOT NULL)",
    );
    this.sql.exec("CREATE TABLE IF NOT EXISTS duplicate_window (hash TEXT PRIMARY KEY, notify_id TEXT NOT NULL, expires_ms INTEGER NOT NULL)");
    // The alarm deletes by expiry and looks for the next one: indexed, so neither scans the window.
    this.sql.exec("CREATE INDEX IF NOT EXISTS idempotency_keys_expires ON idempotency_keys (expires_ms)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS duplicate_window_expires ON duplicate_window (expires_ms)");
  }

  /** Gives the hash back when the send that took it was refused or failed to be stored. */
  releaseWindow(hash: string, notifyId: string): void {
    this.sql.exec("DELETE FROM duplicate_window WHERE hash = ? AND notify_id = ?", hash, notifyId);
  }

  /**
   * The start of a request carrying an Idempotency-Key: the key is taken for it (`new`), or it is
   * the same request again (`replay` of the stored answer, or `in_flight` while the first still
   * runs), or the key was used for a different request (`mismatch`). Decided inside the object,
   * one request at a time, so two copies arriving together can never both run.
   */
  async beginKey(key: string, fingerprint: string, nowMs = Date.now()): Promise<KeyBegin> {
    const used = this.keyInUse(key, fingerprint, nowMs);
    if (used) return used;
    await this.takeKey(key, fingerprint, nowMs);
    return { kind: "new" };
  }

  /**
   * What a key says about a request without taking it: for a send that was refused before its
   * admission (its body no longer passes, say) the first request's answer may still be the one to give.
   */
  peekKey(key: string, fingerprint: string, nowMs = Date.now()): KeyBegin {
    return this.keyInUse(key, fingerprint, nowMs) ?? { kind: "new" };
  }

  /** What a key already taken and not expired says about a request with `fingerprint`; null when the key is free. */
  private keyInUse(key: string, fingerprint: string, nowMs: number): Exclude<KeyBegin, { kind: "new" }> | null {
    const row = this.sql
      .exec<{ fingerprint: string; state: string; answer: string | null; expires_ms: number }>("SELECT fingerprint, state, answer, expires_ms FROM idempotency_keys WHERE key = ?", key)
      .toArray()[0];
    if (!row || row.expires_ms <= nowMs) return null;
    if (row.fingerprint !== fingerprint) return { kind: "mismatch" };
    if (row.state === "in_flight") return { kind: "in_flight", retryAfterSeconds: Math.max(1, Math.ceil(Math.min(5_000, row.expires_ms - nowMs) / 1000)) };
    return { kind: "replay", ...(JSON.parse(row.answer!) as KeyAnswer) };
  }

  private async takeKey(key: string, fingerprint: string, nowMs: number): Promise<void> {
    this.sql.exec(
      "INSERT INTO idempotency_keys (key, fingerprint, state, answer, expires_ms) VALUES (?, ?, 'in_flight', NULL, ?) ON CONFLICT(key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'in_flight', answer = NULL, expires_ms = excluded.expires_ms",
      key,
      fingerprint,
      nowMs + IDEMPOTENCY_IN_FLIGHT_MS,
    );
    await this.expireAt(nowMs + IDEMPOTENCY_IN_FLIGHT_MS);
  }

  /**
   * The end of a request that took a key: its answer is kept for IDEMPOTENCY_KEY_TTL_MS to be
   * replayed, or (`answer` null: an error the client may correct and retry) the key is freed.
   */
  async finishKey(key: string, fingerprint: string, answer: KeyAnswer | null, nowMs = Date.now()): Promise<void> {
    if (answer === null) {
      this.sql.exec("DELETE FROM idempotency_keys WHERE key = ? AND fingerprint = ? AND state = 'in_flight'", key, fingerprint);
      return;
    }
    this.sql.exec(
      "UPDATE idempotency_keys SET state = 'done', answer = ?, expires_ms = ? WHERE key = ? AND fingerprint = ?",
      JSON.stringify(answer),
      nowMs + IDEMPOTENCY_KEY_TTL_MS,
      key,
      fingerprint,
    );
    await this.expireAt(nowMs + IDEMPOTENCY_KEY_TTL_MS);
  }

  /** Keys and window entries stored now (tests and operators: the storage stays bounded by the alarm). */
  countKeys(): number {
    return this.sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM idempotency_keys) + (SELECT COUNT(*) FROM duplicate_window) AS n").toArray()[0]!.n;
  }

  /** Expired keys and window entries are deleted by the object's alarm, set for the earliest expiry, so storage stays bounded. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    // It has rung, so none is set until one is set below (or by a send meanwhile).
    this.alarmAt = null;
    this.sql.exec("DELETE FROM idempotency_keys WHERE expires_ms <= ?", now);
    this.sql.exec("DELETE FROM duplicate_window WHERE expires_ms <= ?", now);
    const next = this.sql
      .exec<{ at: number | null }>("SELECT MIN(at) AS at FROM (SELECT MIN(expires_ms) AS at FROM idempotency_keys UNION ALL SELECT MIN(expires_ms) FROM duplicate_window)")
      .toArray()[0]?.at;
    // Entries expire one after another as sends arrive; ringing for each would be an alarm every
    // few milliseconds. An entry kept a little past its expiry changes nothing (every read checks
    // expires_ms), so the alarm rings at most every ALARM_SPACING_MS.
    if (next !== null && next !== undefined) {
      const at = Math.max(next, now + ALARM_SPACING_MS);
      if (this.alarmAt === null || at < this.alarmAt) {
        await this.ctx.storage.setAlarm(at);
        this.alarmAt = at;
      }
    }
  }

  /**
   * Makes sure the alarm rings by `at`, when an entry expiring then was just stored. Only an
   * earlier time moves the alarm (an entry stored later mostly expires later), so a send costs
   * no look over the stored entries; the alarm finds the next expiry when it rings.
   */
  private async expireAt(at: number): Promise<void> {
    // Remembered rather than asked of storage on every admitted send.
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || at < this.alarmAt) {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    }
  }

  /**
   * One admission decision for a send: a token from the request bucket, and room in each daily
   * counter for the messages it will create. All or nothing, so a refused request consumes
   * nothing. Days are UTC dates; older days are dropped as new ones start.
   */
  async admit(request: AdmitRequest, nowMs = Date.now()): Promise<AdmitResult> {
    const { window, key } = request;
    if (key) {
      const used = this.keyInUse(key.key, key.fingerprint, nowMs);
      // Answered from the key: no token is taken (nothing runs), but the answer says what is left.
      if (used) return { allowed: false, reason: "key", begun: used, ...this.peek(request.bucket, request.perMinute, nowMs) };
    }
    if (window) {
      const row = this.sql.exec<{ notify_id: string; expires_ms: number }>("SELECT notify_id, expires_ms FROM duplicate_window WHERE hash = ?", window.hash).toArray()[0];
      // A duplicate is a request like any other (it was planned and rendered): it takes a token,
      // but none of the daily allowances, since it sends nothing. Its answer is the key's to replay.
      if (row && row.expires_ms > nowMs && row.notify_id !== window.replacing) {
        const taken: Pick<TakeResult, "allowed" | "remaining" | "limit" | "retryAfterSeconds"> = request.tokenTaken
          ? { allowed: true, ...this.peek(request.bucket, request.perMinute, nowMs), retryAfterSeconds: 0 }
          : this.take(request.bucket, request.perMinute, 1, nowMs);
        if (!taken.allowed) return { allowed: false, reason: "rate", limit: taken.limit, retryAfterSeconds: taken.retryAfterSeconds };
        if (key) await this.takeKey(key.key, key.fingerprint, nowMs);
        return { allowed: false, reason: "duplicate", notifyId: row.notify_id, remaining: taken.remaining, limit: taken.limit };
      }
    }
    const day = new Date(nowMs).toISOString().slice(0, 10);
    for (const [counter, { count, limit }] of Object.entries(request.daily)) {
      if (count === 0) continue;
      const used = this.usedToday(day, counter);
      if (used + count > limit) {
        const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
        return { allowed: false, reason: "daily", counter, limit, used, retryAfterSeconds: Math.ceil((midnight - nowMs) / 1000) };
      }
    }
    const taken = request.tokenTaken ? { allowed: true, ...this.peek(request.bucket, request.perMinute, nowMs), retryAfterSeconds: 0 } : this.take(request.bucket, request.perMinute, 1, nowMs);
    if (!taken.allowed) return { allowed: false, reason: "rate", limit: taken.limit, retryAfterSeconds: taken.retryAfterSeconds };
    if (day !== this.prunedDay) {
      this.sql.exec("DELETE FROM daily WHERE day < ?", day);
      this.prunedDay = day;
    }
    for (const [counter, { count }] of Object.entries(request.daily)) {
      if (count === 0) continue;
      this.sql.exec(
        "INSERT INTO daily (day, counter, used) VALUES (?, ?, ?) ON CONFLICT(day, counter) DO UPDATE SET used = used + excluded.used",
        day,
        counter,
        count,
      );
    }
    if (window) {
      this.sql.exec(
        "INSERT INTO duplicate_window (hash, notify_id, expires_ms) VALUES (?, ?, ?) ON CONFLICT(hash) DO UPDATE SET notify_id = excluded.notify_id, expires_ms = excluded.expires_ms",
        window.hash,
        window.notifyId,
        nowMs + window.windowMs,
      );
      await this.expireAt(nowMs + window.windowMs);
    }
    if (key) await this.takeKey(key.key, key.fingerprint, nowMs);
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

  /** What the bucket holds now, taking nothing. */
  private peek(bucket: string, perMinute: number, nowMs: number): { remaining: number; limit: number } {
    const capacity = Math.max(1, perMinute);
    const row = this.buckets.get(bucket) ?? this.sql.exec<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM buckets WHERE name = ?", bucket).toArray()[0];
    const available = row ? Math.min(capacity, row.tokens + Math.max(0, nowMs - row.updated_ms) * (capacity / 60_000)) : capacity;
    return { remaining: Math.floor(available), limit: capacity };
  }

  /**
   * Token bucket holding `perMinute` tokens at most, refilled continuously at `perMinute / 60`
   * per second. Takes `cost` tokens if they are there; otherwise takes nothing.
   */
  take(bucket: string, perMinute: number, cost = 1, nowMs = Date.now()): TakeResult {
    const capacity = Math.max(1, perMinute);
    const refillPerMs = capacity / 60_000;
    // The object is the buckets' only writer, so what it last wrote is what storage holds: read
    // once per bucket after a restart, then from memory.
    let row = this.buckets.get(bucket);
    if (!row) {
      row = this.sql.exec<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM buckets WHERE name = ?", bucket).toArray()[0];
    }
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
    this.buckets.set(bucket, { tokens, updated_ms: nowMs });
    return {
      allowed,
      remaining: Math.floor(tokens),
      retryAfterSeconds: allowed ? 0 : Math.ceil((cost - available) / refillPerMs / 1000),
      limit: capacity,
    };
  }
}
