import { describe, expect, it } from "vitest";
import { normalisePhoneNumber } from "./phone";

describe("normalisePhoneNumber", () => {
  it.each([
    ["7787001234", "CA", "+17787001234"],
    ["(778) 700-1234", "CA", "+17787001234"],
    ["+1 778 700 1234", "GB", "+17787001234"],
    ["250.555.0199", "CA", "+12505550199"],
    ["07723 456789", "GB", "+447723456789"],
    ["+44 7723 456 789", "CA", "+447723456789"],
    ["07700 900123", "GB", "+447700900123"],
    ["+447700900002", "CA", "+447700900002"],
    ["(202) 555-0173", "US", "+12025550173"],
    ["+61 412 345 678", "CA", "+61412345678"],
  ] as const)("%s in %s → %s", (raw, region, e164) => {
    expect(normalisePhoneNumber(raw, region)).toMatchObject({ ok: true, e164 });
  });

  it.each([
    ["12ab", "Must not contain letters or symbols"],
    ["+1 778 700 1234#", "Must not contain letters or symbols"],
    ["1", "Too short"],
    ["555", "Too short"],
    ["778700123", "Not a valid phone number"],
    ["+999 1234567", "Not a valid country prefix"],
    ["+1 900 555 0123", "Premium-rate numbers are not allowed"],
  ])("refuses %s", (raw, message) => {
    const result = normalisePhoneNumber(raw, "CA");
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ message: expect.stringContaining(message) });
  });
});
