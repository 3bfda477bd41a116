import { describe, expect, it } from "vitest";
import { SenderIdSchema } from "./sender-id";

describe("SenderIdSchema", () => {
  it.each(["+15005550006", "+447700900123", "12345", "55555555", "Notify", "Notify GC", "GC2024", "A"])("accepts %j", (value) => {
    expect(SenderIdSchema.safeParse(value).success).toBe(true);
  });

  it.each(["", " ", "Notify ", " Notify", "12", "123456789012", "+0123456789", "TwelveChars1", "Notify\u0000", "Not\u000Bify", "Ab\r\nc", "Café", "a_b", "   x   "])(
    "refuses %j",
    (value) => {
      expect(SenderIdSchema.safeParse(value).success).toBe(false);
    },
  );
});
