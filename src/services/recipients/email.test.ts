import { describe, expect, it } from "vitest";
import { validateEmailAddress } from "./email";

describe("validateEmailAddress (GOV.UK Notify's rules)", () => {
  it.each([
    ["email@domain.com", "email@domain.com"],
    ["firstname.lastname@domain.com", "firstname.lastname@domain.com"],
    ["firstname.o'lastname@domain.com", "firstname.o'lastname@domain.com"],
    ["email@subdomain.domain.com", "email@subdomain.domain.com"],
    ["firstname+lastname@domain.com", "firstname+lastname@domain.com"],
    ["1234567890@domain.com", "1234567890@domain.com"],
    ["email@domain-one.com", "email@domain-one.com"],
    ["email@double--hyphen.com", "email@double--hyphen.com"],
    ["email@domain.name", "email@domain.name"],
    [" Ann@Example.COM\u200B ", "Ann@example.com"],
    ["japanese-info@例え.テスト", "japanese-info@例え.テスト"],
    ["info@müller.de", "info@müller.de"],
  ])("accepts %s", (raw, address) => {
    expect(validateEmailAddress(raw)).toEqual({ ok: true, address });
  });

  it.each([
    "plainaddress",
    "@no-local-part.com",
    "email.domain.com",
    "email@domain@domain.com",
    "email..email@domain.com",
    "email@domain..com",
    "email@123.123.123.123",
    "email@[123.123.123.123]",
    '"email"@domain.com',
    "email@domain",
    "email@-domain.com",
    "email@domain.com;",
    "email@under_score.com",
    "a£@domain.com",
    `${"a".repeat(320)}@domain.com`,
    "email@domain.c",
  ])("refuses %s", (raw) => {
    expect(validateEmailAddress(raw)).toEqual({ ok: false, message: "Not a valid email address" });
  });
});
