import { describe, expect, it } from "vitest";
import { MissingParamsError, RenderLimitError } from "./errors";
import { renderGc, requiredGcParams } from "./gc";

describe("requiredGcParams", () => {
  it("lists placeholders once, matching names as GOV.UK Notify does", () => {
    expect(requiredGcParams("((First Name)) ((first_name)) ((FIRST-NAME)) ((date))")).toEqual(["First Name", "date"]);
  });

  it("requires conditional placeholders too: Notify refuses a send without them", () => {
    expect(requiredGcParams("((a)) ((b??shown when b is yes))")).toEqual(["a", "b"]);
  });
});

describe("renderGc", () => {
  it("matches names ignoring case, spaces, _ and -", () => {
    expect(renderGc("Dear ((First Name)), ((last-name)) ((REF_no))", { first_name: "Ann", LastName: "Lee", "ref no": 7 }, "none")).toBe("Dear Ann, Lee 7");
  });

  it.each(["yes", "Y", "true", "T", "1", "include", "SHOW", true, 1])("shows optional content for %s", (value) => {
    expect(renderGc("a((x?? b))", { x: value }, "none")).toBe("a b");
  });

  it.each(["no", "0", "", "maybe", false, 0])("hides optional content for %j", (value) => {
    expect(renderGc("a((x?? b))", { x: value }, "none")).toBe("a");
  });

  it("a missing conditional is still missing", () => {
    expect(() => renderGc("((a))((b??x))", { a: 1 }, "none")).toThrow(MissingParamsError);
  });

  it("joins lists as prose, or makes a bullet list in markdown, dropping blank items", () => {
    expect(renderGc("((l))", { l: ["a", "b", " ", "c"] }, "none")).toBe("a, b and c");
    expect(renderGc("((l))", { l: ["a"] }, "none")).toBe("a");
    expect(renderGc("((l))", { l: ["<a>", "b"] }, "html")).toBe("&lt;a&gt; and b");
    expect(renderGc("Items:((l))", { l: ["a*", "b"] }, "markdown")).toBe("Items:\n\n* a\\*\n* b");
    expect(renderGc("((l))", { l: [] }, "markdown")).toBe("");
  });

  it("stringifies other values", () => {
    expect(renderGc("((n)) ((b)) ((o))", { n: 1.5, b: false, o: { k: 1 } }, "none")).toBe('1.5 false {"k":1}');
  });

  it("leaves incomplete or nested parentheses as typed", () => {
    expect(renderGc("((a) (b)) ((name", {}, "none")).toBe("((a) (b)) ((name");
  });
});

describe("renderGc: bounds and prototypes", () => {
  it("matches own parameter names only", () => {
    expect(() => renderGc("((constructor))((toString))((__proto__))", {}, "none")).toThrow(MissingParamsError);
  });

  it("refuses output past the bound instead of truncating it", () => {
    const template = "((v))".repeat(1000);
    expect(renderGc(template, { v: "x".repeat(100) }, "none")).toHaveLength(100_000);
    expect(() => renderGc(template, { v: "x".repeat(101) }, "none")).toThrow(RenderLimitError);
  });
});
