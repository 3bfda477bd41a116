import { describe, expect, it } from "vitest";
import { validateEmailAddress } from "./email";

// Cases follow GOV.UK Notify's notifications-utils test table (MIT, Crown copyright).
describe("validateEmailAddress", () => {
  it.each([
    ["email@domain.com", "email@domain.com"],
    ["firstname.lastname@domain.com", "firstname.lastname@domain.com"],
    ["firstname.o'lastname@domain.com", "firstname.o'lastname@domain.com"],
    ["email@subdomain.domain.com", "email@subdomain.domain.com"],
    ["firstname+lastname@domain.com", "firstname+lastname@domain.com"],
    ["1234567890@domain.com", "1234567890@domain.com"],
    ["email@domain-one.com", "email@domain-one.com"],
    ["_______@domain.com", "_______@domain.com"],
    ["email@domain.name", "email@domain.name"],
    ["email@domain.superlongtld", "email@domain.superlongtld"],
    ["email@domain.co.jp", "email@domain.co.jp"],
    ["firstname-lastname@domain.com", "firstname-lastname@domain.com"],
    ["email@double--hyphen.com", "email@double--hyphen.com"],
    ["info@german-financial-services.vermögensberatung", "info@german-financial-services.vermögensberatung"],
    ["japanese-info@例え.テスト", "japanese-info@例え.テスト"],
    ["email@xn--r8jz45g.xn--zckzah", "email@例え.テスト"],
    [`${"a".repeat(64)}@domain.com`, `${"a".repeat(64)}@domain.com`],
    [`${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`, `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`],
  ])("accepts %s", (raw, address) => {
    expect(validateEmailAddress(raw)).toEqual({ ok: true, address });
  });

  it.each([
    ["surrounding spaces", "  email@domain.com  ", "email@domain.com"],
    ["zero-width and NBSP anywhere", "\u200Bemail@\u00A0domain.com\uFEFF", "email@domain.com"],
    ["tabs and newlines around", "\temail@domain.com\n", "email@domain.com"],
    ["domain lower-cased, local part kept", "Ann.Lee@Example.COM", "Ann.Lee@example.com"],
    ["fullwidth domain (UTS #46 mapping)", "ann@ｅｘａｍｐｌｅ.ｃｏｍ", "ann@example.com"],
    ["ideographic full stops as dots", "ann@example。com", "ann@example.com"],
    ["upper-case Unicode domain", "ann@BÜCHER.Example", "ann@bücher.example"],
    ["A-labels stored as U-labels", "ann@xn--bcher-kva.example", "ann@bücher.example"],
    ["decomposed Unicode composed (NFKC)", "ann@bu\u0308cher.example", "ann@bücher.example"],
  ])("normalises %s", (_name, raw, address) => {
    expect(validateEmailAddress(raw)).toEqual({ ok: true, address });
  });

  it.each([
    "",
    "plainaddress",
    "@no-local-part.com",
    "email.domain.com",
    "email@domain@domain.com",
    "Joe Smith <email@domain.com>",
    "email @domain.com",
    ".email..email@domain.com",
    "email@domain..com",
    "email@domain.com.",
    "email@.domain.com",
    "email@123.123.123.123",
    "email@[123.123.123.123]",
    "email@[IPv6:::1]",
    '"email"@domain.com',
    "email@domain",
    "email@-domain.com",
    "email@domain-.com",
    "email@domain.com;",
    "email@domain.com/path",
    "email@domain.com:25",
    "email@domain.c",
    "email@domain.111",
    "email@under_score.com",
    "email@a%2Eb.com",
    "a£@domain.com",
    "firstname.o’lastname@domain.com",
    "email@xn--.com",
    "email@domain.xn--",
    `${"a".repeat(310)}@domain.com`,
    `email@${"a".repeat(64)}.com`,
    ".a@x.com",
    "a.@x.com",
    "a..b@x.com",
    ".@x.com",
    `${"a".repeat(65)}@domain.com`,
    `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(58)}.com`,
    "ann@ｅｘａｍｐｌｅ／.com",
    "ann@example。。com",
  ])("refuses %j", (raw) => {
    expect(validateEmailAddress(raw)).toEqual({ ok: false, message: "Not a valid email address" });
  });
});

describe("one recipient, one row", () => {
  it("spellings of the same mailbox normalise to one address", () => {
    const spellings = ["ann@example.com", "ann@EXAMPLE.com", "ann@ｅｘａｍｐｌｅ.com", "ann@example。com", "ann@ＥＸＡＭＰＬＥ.ＣＯＭ"];
    const addresses = new Set(spellings.map((raw) => (validateEmailAddress(raw) as { address: string }).address));
    expect([...addresses]).toEqual(["ann@example.com"]);
    const idn = ["ann@bücher.example", "ann@xn--bcher-kva.example", "ann@BÜCHER.example", "ann@ｂüｃｈｅｒ.example"];
    expect(new Set(idn.map((raw) => (validateEmailAddress(raw) as { address: string }).address))).toEqual(new Set(["ann@bücher.example"]));
  });
});
