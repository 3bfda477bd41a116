import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { zodIssuesToFieldErrors } from "./zod-issues";

const errorsOf = (schema: z.ZodType, value: unknown, target?: string) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a failure");
  return zodIssuesToFieldErrors(result.error, target);
};

describe("zodIssuesToFieldErrors", () => {
  const List = z.object({ to: z.union([z.string().max(10), z.array(z.string()).max(3, "At most 3 recipients")]) });

  it("reports the branch whose type matched, not the string branch's type error", () => {
    expect(errorsOf(List, { to: ["a", "b", "c", "d"] })).toEqual([{ path: "to", message: "At most 3 recipients" }]);
    expect(errorsOf(List, { to: "x".repeat(11) })).toEqual([{ path: "to", message: expect.stringMatching(/<=10 characters/) }]);
  });

  it("names the element at fault inside the matching branch", () => {
    expect(errorsOf(List, { to: ["a", 5] })).toEqual([{ path: "to[1]", message: expect.stringMatching(/expected string/) }]);
  });

  it("lists every accepted type when no branch's type matched", () => {
    expect(errorsOf(List, { to: 5 })).toEqual([{ path: "to", message: "Invalid input: expected string or array, received number" }]);
  });

  it("reports the object branch's own fields when an object was given", () => {
    const Ref = z.union([z.string(), z.object({ type: z.enum(["slack"]), url: z.url() }).strict()]);
    expect(errorsOf(z.object({ target: Ref }), { target: { type: "slack", url: "nope", x: 1 } })).toEqual([
      { path: "target.url", message: expect.stringMatching(/URL/i) },
      { path: "target.x", message: "Unknown field" },
    ]);
  });

  it("unwraps unions nested in unions and keeps the target prefix", () => {
    const Inner = z.union([z.number(), z.array(z.number()).max(1)]);
    const Outer = z.object({ v: z.union([z.boolean(), Inner]) });
    expect(errorsOf(Outer, { v: [1, 2] }, "query")).toEqual([{ path: "query.v", message: expect.stringMatching(/<=1 items/) }]);
  });
});
