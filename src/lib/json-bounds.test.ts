import { describe, expect, it } from "vitest";
import { findLoneSurrogateEscape, inspectJsonText, jsonShape, jsonTextDepth, jsonValueProblem } from "./json-bounds";

const nest = (n: number) => "[".repeat(n) + "]".repeat(n);

describe("jsonTextDepth", () => {
  it("counts arrays and objects, not brackets inside strings or escaped quotes", () => {
    expect(jsonTextDepth('{"a":[1,{"b":"[["}]}')).toBe(3);
    expect(jsonTextDepth('{"a":"\\"[[[[\\"","b":{}}')).toBe(2);
    expect(jsonTextDepth('"plain"')).toBe(0);
  });

  it("measures 100,000 levels without recursion and stops early", () => {
    expect(jsonTextDepth(nest(100_000))).toBe(100_000);
    expect(jsonTextDepth(nest(100_000), 32)).toBe(33);
  });
});

describe("jsonShape / jsonValueProblem", () => {
  it("measures parsed values iteratively", () => {
    expect(jsonShape({ a: [1, { b: 2 }] })).toEqual({ depth: 3, entries: 4 });
    expect(jsonShape("x")).toEqual({ depth: 0, entries: 0 });
    expect(jsonShape(JSON.parse(nest(50_000))).depth).toBe(50_000);
  });

  it("names the first bound broken", () => {
    const limits = { maxDepth: 2, maxBytes: 20, maxKeys: 5 };
    expect(jsonValueProblem({ a: { b: {} } }, limits)).toBe("Nested more than 2 levels deep; at most 2 allowed");
    expect(jsonValueProblem([1, 2, 3, 4, 5, 6], limits)).toBe("More than 5 keys and elements in all; at most 5 allowed");
    expect(jsonValueProblem({ a: "x".repeat(30) }, limits)).toBe("38 bytes as JSON; at most 20 allowed");
    expect(jsonValueProblem({ a: [1] }, limits)).toBeNull();
    // Too deep to serialise is reported as depth, never as a stack overflow.
    expect(jsonValueProblem(JSON.parse(nest(20_000)), limits)).toMatch(/^Nested more than 2/);
  });
});

describe("findLoneSurrogateEscape", () => {
  it("finds an escaped half of a surrogate pair, in any position", () => {
    expect(findLoneSurrogateEscape('{"a":"x\\uD800y"}')).toBe(7);
    expect(findLoneSurrogateEscape('{"a":"\\uDFFF"}')).toBe(6);
    expect(findLoneSurrogateEscape('{"a":"\\ud800"}')).toBe(6);
    expect(findLoneSurrogateEscape('{"a":"\\uD800\\n"}')).toBe(6);
    expect(findLoneSurrogateEscape('{"\\uD800":1}')).toBe(2);
  });

  it("accepts pairs, other escapes and surrogate-looking text outside escapes", () => {
    expect(findLoneSurrogateEscape('{"a":"\\uD83D\\uDE00 \\u00e9 \\\\uD800"}')).toBe(-1);
    expect(findLoneSurrogateEscape('{"a":"😀"}')).toBe(-1);
    expect(findLoneSurrogateEscape("[1,2]")).toBe(-1);
  });
});

describe("inspectJsonText: __proto__ keys", () => {
  it("finds __proto__ as a key in any spelling JSON.parse accepts, but not as a value", () => {
    expect(inspectJsonText('{"__proto__":{}}').protoKeyAt).toBe(1);
    expect(inspectJsonText('{"a":{"b":1,"__proto__" :{}}}').protoKeyAt).toBe(12);
    expect(inspectJsonText('{"\\u005f_proto__":1}').protoKeyAt).toBe(1);
    expect(inspectJsonText('{"a":"__proto__"}').protoKeyAt).toBe(-1);
    expect(inspectJsonText('["__proto__", 1]').protoKeyAt).toBe(-1);
    expect(inspectJsonText('{"constructor":1,"prototype":2}').protoKeyAt).toBe(-1);
  });
});
