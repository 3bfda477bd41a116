import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { type CircuitPolicy, circuitPolicy } from "../services/circuits/policy";

export type CircuitState = "closed" | "open" | "half-open";

/** Calls a batch would like to make to one provider. */
export interface PermitRequest {
  name: string;
  wanted: number;
}

/** How many of those calls may be made now. */
export interface Permit {
  name: string;
  /** `wanted` when closed, 0 when open, 1 (the probe) when half-open and no probe is out. */
  allowed: number;
  /** Set when `allowed` is the half-open probe: hand it back with the probe's outcome. */
  probe?: string;
  /** When `allowed` is 0: when asking again may be answered differently (ms since the epoch). */
  retryAt?: number;
}

/** What a batch's calls to one provider came to. */
export interface CallOutcomes {
  name: string;
  /** Calls the provider answered: accepted, or refused for the message's own sake (a permanent refusal). */
  ok: number;
  /** Calls that found it failing: a retryable error, or no answer (unknown). */
  failed: number;
  /** The probe this batch was given, answered even when it was not used (ok = failed = 0 frees it). */
  probe?: string;
}

/** One provider's circuit as the health route shows it. */
export interface CircuitView {
  name: string;
  state: CircuitState;
  /** Failed calls counted in the window: those that opened an open circuit; none yet after one closes. */
  failures: number;
  /** Calls the provider answered in the window. */
  successes: number;
  openedAt: number | null;
  /** When an open circuit lets its probe through (or did, when half-open). */
  halfOpenAt: number | null;
  probeInFlight: boolean;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

interface CircuitRow extends Record<string, SqlStorageValue> {
  name: string;
  opened_at: number | null;
  probe_token: string | null;
  probe_until: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
}

/** Provider names as the registries spell them; anything else is never stored. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** More circuits than there are adapters: a bound on storage, not a limit anyone meets. */
const MAX_CIRCUITS = 32;
/** How soon to ask again while another batch's probe is out: it usually answers in seconds. */
const PROBE_RECHECK_MS = 5_000;
/** The window is kept as this many buckets per provider, so storage stays bounded whatever the traffic. */
const BUCKETS = 10;

/**
 * The circuit breakers of every provider, in one object per deployment (services/circuits).
 * A closed circuit lets every call through; it opens when, within the window, at least
 * `failureThreshold` calls failed and failures outnumber the calls the provider answered. An open
 * circuit refuses calls for the cool-down, then is half-open: exactly one call (the probe, leased
 * so a batch that never reports cannot hold it for ever) goes through; its success closes the
 * circuit, its failure opens it again for another cool-down. Reports of calls let through before
 * the circuit opened change nothing but the last success / failure times.
 *
 * Every method takes the time and the policy, so the caller's settings (and tests) decide; by
 * default the object's own clock and environment.
 */
export class ProviderCircuits extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS circuits (name TEXT PRIMARY KEY, opened_at INTEGER, probe_token TEXT, probe_until INTEGER, last_success_at INTEGER, last_failure_at INTEGER)",
    );
    this.sql.exec("CREATE TABLE IF NOT EXISTS circuit_counts (name TEXT NOT NULL, bucket INTEGER NOT NULL, ok INTEGER NOT NULL, failed INTEGER NOT NULL, PRIMARY KEY (name, bucket))");
  }

  /** How many of the calls each provider is asked for may be made now (a half-open probe is leased here). */
  permit(requests: PermitRequest[], now = Date.now(), policy: CircuitPolicy = circuitPolicy(this.env)): Permit[] {
    return requests.map(({ name, wanted }) => {
      const row = NAME.test(name) ? this.row(name) : undefined;
      const state = row ? stateOf(row, now, policy) : "closed";
      if (state === "closed" || wanted <= 0) return { name, allowed: Math.max(0, wanted) };
      if (state === "open") return { name, allowed: 0, retryAt: row!.opened_at! + policy.cooldownMs };
      if (row!.probe_token !== null && row!.probe_until! > now) return { name, allowed: 0, retryAt: Math.min(row!.probe_until!, now + PROBE_RECHECK_MS) };
      const probe = crypto.randomUUID();
      this.sql.exec("UPDATE circuits SET probe_token = ?, probe_until = ? WHERE name = ?", probe, now + policy.probeLeaseMs, name);
      return { name, allowed: 1, probe };
    });
  }

  /** Records what the calls a batch was allowed came to, moving circuits as the rules say. */
  report(outcomes: CallOutcomes[], now = Date.now(), policy: CircuitPolicy = circuitPolicy(this.env)): void {
    for (const outcome of outcomes) {
      if (!NAME.test(outcome.name)) continue;
      const row = this.row(outcome.name) ?? this.create(outcome.name);
      if (!row) continue;
      if (outcome.ok > 0) this.sql.exec("UPDATE circuits SET last_success_at = ? WHERE name = ?", now, row.name);
      if (outcome.failed > 0) this.sql.exec("UPDATE circuits SET last_failure_at = ? WHERE name = ?", now, row.name);
      const state = stateOf(row, now, policy);
      if (state === "closed") this.count(row.name, outcome, now, policy);
      else if (outcome.probe !== undefined && outcome.probe === row.probe_token) this.settleProbe(row.name, outcome, now);
    }
    this.sql.exec("DELETE FROM circuit_counts WHERE bucket <= ?", now - policy.windowMs - bucketMs(policy));
  }

  /** Each named provider's circuit (a provider never reported is closed with nothing counted). */
  status(names: string[], now = Date.now(), policy: CircuitPolicy = circuitPolicy(this.env)): CircuitView[] {
    return names.map((name) => {
      const row = NAME.test(name) ? this.row(name) : undefined;
      if (!row) return { name, state: "closed", failures: 0, successes: 0, openedAt: null, halfOpenAt: null, probeInFlight: false, lastSuccessAt: null, lastFailureAt: null };
      const { ok, failed } = this.window(name, now, policy);
      return {
        name,
        state: stateOf(row, now, policy),
        failures: failed,
        successes: ok,
        openedAt: row.opened_at,
        halfOpenAt: row.opened_at === null ? null : row.opened_at + policy.cooldownMs,
        probeInFlight: row.probe_token !== null && (row.probe_until ?? 0) > now,
        lastSuccessAt: row.last_success_at,
        lastFailureAt: row.last_failure_at,
      };
    });
  }

  private row(name: string): CircuitRow | undefined {
    return this.sql.exec<CircuitRow>("SELECT * FROM circuits WHERE name = ?", name).toArray()[0];
  }

  private create(name: string): CircuitRow | undefined {
    const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM circuits").one();
    if (n >= MAX_CIRCUITS) return undefined;
    this.sql.exec("INSERT INTO circuits (name) VALUES (?)", name);
    return this.row(name);
  }

  /** A closed circuit's window gains the outcomes, and opens when the provider is failing. */
  private count(name: string, outcome: CallOutcomes, now: number, policy: CircuitPolicy): void {
    const bucket = Math.floor(now / bucketMs(policy)) * bucketMs(policy);
    this.sql.exec(
      "INSERT INTO circuit_counts (name, bucket, ok, failed) VALUES (?, ?, ?, ?) ON CONFLICT (name, bucket) DO UPDATE SET ok = ok + excluded.ok, failed = failed + excluded.failed",
      name,
      bucket,
      Math.max(0, outcome.ok),
      Math.max(0, outcome.failed),
    );
    const { ok, failed } = this.window(name, now, policy);
    if (failed >= policy.failureThreshold && failed > ok) this.open(name, now);
  }

  /** The probe's answer decides: it got through (closed, counting afresh), it failed (open again), or it was not used (free). */
  private settleProbe(name: string, outcome: CallOutcomes, now: number): void {
    if (outcome.ok > 0) {
      this.sql.exec("UPDATE circuits SET opened_at = NULL, probe_token = NULL, probe_until = NULL WHERE name = ?", name);
      this.sql.exec("DELETE FROM circuit_counts WHERE name = ?", name);
    } else if (outcome.failed > 0) {
      this.open(name, now);
    } else {
      this.sql.exec("UPDATE circuits SET probe_token = NULL, probe_until = NULL WHERE name = ?", name);
    }
  }

  private open(name: string, now: number): void {
    this.sql.exec("UPDATE circuits SET opened_at = ?, probe_token = NULL, probe_until = NULL WHERE name = ?", now, name);
  }

  private window(name: string, now: number, policy: CircuitPolicy): { ok: number; failed: number } {
    const sums = this.sql
      .exec<{ ok: number | null; failed: number | null }>("SELECT SUM(ok) AS ok, SUM(failed) AS failed FROM circuit_counts WHERE name = ? AND bucket > ?", name, now - policy.windowMs)
      .one();
    return { ok: sums.ok ?? 0, failed: sums.failed ?? 0 };
  }
}

function bucketMs(policy: CircuitPolicy): number {
  return Math.max(1_000, Math.floor(policy.windowMs / BUCKETS));
}

function stateOf(row: CircuitRow, now: number, policy: CircuitPolicy): CircuitState {
  if (row.opened_at === null) return "closed";
  return now < row.opened_at + policy.cooldownMs ? "open" : "half-open";
}
