import { describe, expect, it } from "vitest";
import { MAX_DELAY_SECONDS, nextDelaySeconds, RETRY_SCHEDULE_SECONDS, retryAfterSeconds } from "./schedule";

describe("the callback retry schedule", () => {
  it("waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h between 8 attempts, about a day in all", () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((made) => nextDelaySeconds(made));
    expect(waits).toEqual([5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]);
    expect(nextDelaySeconds(RETRY_SCHEDULE_SECONDS.length)).toBeNull();
    const hours = waits.reduce((a, b) => a! + b!, 0)! / 3600;
    expect(hours).toBeGreaterThan(24);
    expect(hours).toBeLessThan(30);
  });

  it("honours a longer Retry-After, never beyond the 12 hours a queue can delay", () => {
    expect(nextDelaySeconds(1, 120)).toBe(120);
    expect(nextDelaySeconds(3, 60)).toBe(1_800);
    expect(nextDelaySeconds(1, 10 ** 9)).toBe(MAX_DELAY_SECONDS);
    expect(nextDelaySeconds(1, Number.NaN)).toBe(5);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = new Date("2026-11-27T12:00:00Z");
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds("Fri, 27 Nov 2026 12:00:30 GMT", now)).toBe(30);
    expect(retryAfterSeconds("soon", now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});
