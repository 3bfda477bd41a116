import { describe, expect, it } from "vitest";
import { RENDERER_NAMES, toRenderer } from "./renderer";

describe("toRenderer", () => {
  it.each([
    [undefined, "mustache"],
    ["mustache", "mustache"],
    ["handlebar", "mustache"],
    ["Handlebars", "mustache"],
    ["gc", "gc"],
    ["NOTIFY", "gc"],
  ] as const)("%s → %s", (name, renderer) => {
    expect(toRenderer(name)).toBe(renderer);
  });

  it("accepts every advertised name", () => {
    expect(RENDERER_NAMES.map(toRenderer)).toEqual(["mustache", "mustache", "mustache", "gc", "gc"]);
  });
});
