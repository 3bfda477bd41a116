import { describe, expect, it } from "vitest";
import { displayNameSchema, hasUnsafeText, stripUnsafeText } from "./display-name";

describe("display names", () => {
  const schema = displayNameSchema(20);

  it.each(["Funding Applications", "Café ünïcode", "فاطمة", "例え", "dev 👩‍💻", "O'Brien & Co."])("accepts %j", (name) => {
    expect(schema.safeParse(name).success).toBe(true);
  });

  it.each([
    ["NUL", "a\u0000b"],
    ["VT", "a\u000Bb"],
    ["CR LF", "a\r\nBcc: x"],
    ["tab", "a\tb"],
    ["DEL", "a\u007Fb"],
    ["C1 NEL", "a\u0085b"],
    ["RLO", "invoice\u202Efdp.exe"],
    ["LRI", "a\u2066b"],
    ["LRM", "a\u200Eb"],
    ["ALM", "a\u061Cb"],
    ["line separator", "a\u2028b"],
    ["BOM inside", "na\uFEFFme"],
    ["lone surrogate", "a\uD800b"],
  ])("refuses %s", (_name, value) => {
    expect(hasUnsafeText(value)).toBe(true);
    expect(schema.safeParse(value).success).toBe(false);
  });

  it("trims, and refuses empty and over-long names", () => {
    expect(schema.parse("  Ann  ")).toBe("Ann");
    expect(schema.safeParse("   ").success).toBe(false);
    expect(schema.safeParse("x".repeat(21)).success).toBe(false);
  });

  it("strips what it refuses, for wire formats", () => {
    expect(stripUnsafeText("Ann\r\nBcc: x@y.z\u202E\u0000")).toBe("Ann Bcc: x@y.z");
  });
});
