import { describe, expect, it } from "vitest";
import { keywordOf } from "../../src/services/received-texts/keywords";

describe("keywordOf reads the body as a person sees it", () => {
  it("an opt-out word with invisible characters or in full-width letters still opts out", () => {
    expect(keywordOf("STOP\u200b")).toBe("out");
    expect(keywordOf("\u200bS\u200dTOP\ufeff")).toBe("out");
    expect(keywordOf("\u200eunsubscribe\u200f")).toBe("out");
    expect(keywordOf("ＳＴＯＰ")).toBe("out");
    expect(keywordOf("ｓｔｏｐ\u3000")).toBe("out");
    expect(keywordOf("ＵＮＳＴＯＰ")).toBe("in");
    expect(keywordOf("STOP\u00a0")).toBe("out");
  });

  it("other texts stay texts, and a long one is not normalised for nothing", () => {
    expect(keywordOf("STOP\u200bNOW")).toBeNull();
    expect(keywordOf("S T O P")).toBeNull();
    expect(keywordOf(`STOP${"\u200b".repeat(300)}`)).toBeNull();
    expect(keywordOf("\u200b")).toBeNull();
  });
});
