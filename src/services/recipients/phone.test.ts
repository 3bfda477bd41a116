import { describe, expect, it } from "vitest";
import { normalisePhoneNumber } from "./phone";

describe("normalisePhoneNumber", () => {
  it.each([
    // Canada and the US: national numbers in the default region, as people write them.
    ["7787001234", "CA", "+17787001234", "CA"],
    ["(778) 700-1234", "CA", "+17787001234", "CA"],
    ["778.700.1234", "CA", "+17787001234", "CA"],
    ["1 778 700 1234", "CA", "+17787001234", "CA"],
    ["+1 778 700 1234", "GB", "+17787001234", "CA"],
    ["(202) 555-0173", "US", "+12025550173", "US"],
    ["  212-555-0100  ", "US", "+12125550100", "US"],
    // UK, GOV.UK Notify's formats of one mobile number.
    ["07723456789", "GB", "+447723456789", "GB"],
    ["07723 456 789", "GB", "+447723456789", "GB"],
    ["+44 (0)7723 456 789", "CA", "+447723456789", "GB"],
    ["447723456789", "GB", "+447723456789", "GB"],
    ["020 7946 0000", "GB", "+442079460000", "GB"],
    ["07797 123456", "GB", "+447797123456", "JE"],
    // Ofcom's drama range (GOV.UK Notify's simulator numbers).
    ["07700 900123", "GB", "+447700900123", "GB"],
    ["+447700900002", "CA", "+447700900002", "GB"],
    // International.
    ["+61 412 345 678", "CA", "+61412345678", "AU"],
    ["+33 6 12 34 56 78", "US", "+33612345678", "FR"],
    ["+49 1512 3456789", "CA", "+4915123456789", "DE"],
    ["+7 (912) 345-67-89", "CA", "+79123456789", "RU"],
  ] as const)("%s in %s → %s", (raw, defaultRegion, e164, region) => {
    expect(normalisePhoneNumber(raw, defaultRegion)).toEqual({ ok: true, e164, region });
  });

  it.each([
    ["778-700-1234 ext", "CA", "Must not contain letters or symbols"],
    ["+1 778 700 1234#", "CA", "Must not contain letters or symbols"],
    ["07723/456789", "GB", "Must not contain letters or symbols"],
    ["1", "CA", "Too short"],
    ["555", "CA", "Too short"],
    ["077 234", "GB", "Too short"],
    ["07723 45", "GB", "Not a valid phone number"],
    ["123456789012345678", "CA", "Too long"],
    ["+44 7723 456 7890", "CA", "Too long"],
    ["07700900123", "CA", "Too long"],
    ["+999 1234567", "CA", "Not a valid country prefix"],
    ["+1 555 555 5555", "CA", "Not a valid phone number"],
    ["0772345678", "GB", "Not a valid phone number"],
    ["()", "CA", "Not a valid phone number"],
    ["+1 900 555 0123", "CA", "Premium-rate numbers are not allowed"],
    ["09065 123456", "GB", "Premium-rate numbers are not allowed"],
  ] as const)("refuses %s in %s: %s", (raw, defaultRegion, message) => {
    expect(normalisePhoneNumber(raw, defaultRegion)).toEqual({ ok: false, message });
  });
});
