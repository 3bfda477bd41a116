import { describe, expect, it } from "vitest";
import { normaliseSms, SMS_MAX_LENGTH, smsStats } from "./sms";

describe("smsStats", () => {
  it.each([
    ["empty", "", 0, 1, "GSM-7"],
    ["160 GSM characters", "a".repeat(160), 160, 1, "GSM-7"],
    ["161 GSM characters", "a".repeat(161), 161, 2, "GSM-7"],
    ["306 GSM characters", "a".repeat(306), 306, 2, "GSM-7"],
    ["307 GSM characters", "a".repeat(307), 307, 3, "GSM-7"],
    ["GSM accents and Greek", "éèÄöñü£¥§¿¡ΔΩ@_\n".repeat(10), 160, 1, "GSM-7"],
    ["80 euro signs (extension, 2 each)", "€".repeat(80), 160, 1, "GSM-7"],
    ["81 brackets (extension, 2 each)", "[".repeat(81), 162, 2, "GSM-7"],
    ["every extension character", "^{}\\[~]|€", 18, 1, "GSM-7"],
    ["158 + one extension character", `${"a".repeat(159)}{`, 161, 2, "GSM-7"],
    ["70 Welsh ŵ (not GSM)", "ŵ".repeat(70), 70, 1, "UCS-2"],
    ["71 Welsh ŵ", "ŵ".repeat(71), 71, 2, "UCS-2"],
    ["134 unicode", "ŵ".repeat(134), 134, 2, "UCS-2"],
    ["135 unicode", "ŵ".repeat(135), 135, 3, "UCS-2"],
    ["one non-GSM character switches everything", `${"a".repeat(69)}ç`, 70, 1, "UCS-2"],
    ["emoji count two UTF-16 units", "hi 👋", 5, 1, "UCS-2"],
    ["35 emoji", "👋".repeat(35), 70, 1, "UCS-2"],
    ["36 emoji", "👋".repeat(36), 72, 2, "UCS-2"],
    ["extension characters count once in UCS-2", "€👋", 3, 1, "UCS-2"],
  ])("%s", (_name, text, length, fragments, encoding) => {
    expect(smsStats(text)).toEqual({ length, fragments, encoding });
  });

  it("the maximum is six concatenated GSM fragments", () => {
    expect(SMS_MAX_LENGTH).toBe(918);
    expect(smsStats("a".repeat(SMS_MAX_LENGTH)).fragments).toBe(6);
  });
});

describe("normaliseSms", () => {
  it.each([
    ["CRLF and blank-line runs", "a\r\n\r\n\r\n\r\nb", "a\n\nb"],
    ["trailing spaces per line", "a  \t\nb ", "a\nb"],
    ["space before , and .", "Hello , world .", "Hello, world."],
    ["inner spacing kept", "a  b", "a  b"],
    ["outer whitespace trimmed", "\n  hi  \n", "hi"],
    ["characters are not downgraded", "Héllo “Ann” – 👋", "Héllo “Ann” – 👋"],
  ])("%s", (_name, text, expected) => {
    expect(normaliseSms(text)).toBe(expected);
  });
});
