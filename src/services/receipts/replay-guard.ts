import { LruCache } from "../../lib/lru-cache";

/**
 * Remembers one-time values (Mailgun's signature tokens) seen within a window, per isolate. It
 * is cheap and catches the plain replay of a captured post to the same isolate; a replay that
 * lands on another isolate, or after the isolate was recycled, passes it, and is then only
 * bounded by the signature's timestamp tolerance and made harmless by applyReceipts, which never
 * applies the same move twice. Bounded: the oldest entries are forgotten first.
 *
 * @example
 * ```ts
 * const guard = new ReplayGuard(300, 10_000);
 * guard.claim("token", now) // { ok: true, release }
 * guard.claim("token", now) // { ok: false }
 * ```
 */
export class ReplayGuard {
  readonly #seen: LruCache<string, number>;

  constructor(
    private readonly windowSeconds: number,
    capacity: number,
  ) {
    this.#seen = new LruCache(capacity);
  }

  /** Takes `value` unless it was taken within the window; `release` gives it back (the post failed). */
  claim(value: string, now: Date): { ok: true; release(): void } | { ok: false } {
    const at = now.getTime();
    const previous = this.#seen.get(value);
    if (previous !== undefined && at - previous < this.windowSeconds * 1000) return { ok: false };
    this.#seen.set(value, at);
    return { ok: true, release: () => this.#seen.delete(value) };
  }
}
