import { describe, expect, it } from "vitest";
import { MAX_RETRY_DELAY_SECONDS, retryDelaySeconds } from "./process";

describe("retryDelaySeconds", () => {
  it("grows exponentially with jitter and honours a reasonable Retry-After", () => {
    for (let i = 0; i < 50; i++) {
      expect(retryDelaySeconds(1)).toBeGreaterThanOrEqual(12);
      expect(retryDelaySeconds(1)).toBeLessThanOrEqual(18);
      expect(retryDelaySeconds(1, 120)).toBe(120);
    }
  });

  it("never waits longer than MAX_RETRY_DELAY_SECONDS, whatever the receiver asks", () => {
    // A receiver answered 429 with Retry-After: 99999999 and the message sat in `sending` for years.
    expect(retryDelaySeconds(1, 99_999_999)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(9, Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(1, Number.NaN)).toBeLessThanOrEqual(18);
    expect(retryDelaySeconds(1, -5)).toBeGreaterThanOrEqual(12);
  });
});
