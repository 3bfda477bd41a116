import { describe, expect, it } from "vitest";
import { MissingParamsError, renderTemplate, requiredParams, TemplateSyntaxError } from "./engine";

const plain = { renderer: "mustache", escape: "none" } as const;

function missingOf(render: () => unknown): string[] {
  try {
    render();
  } catch (err) {
    expect(err).toBeInstanceOf(MissingParamsError);
    return (err as MissingParamsError).missing;
  }
  throw new Error("expected MissingParamsError");
}

describe("renderTemplate", () => {
  it("renders the seed's example 2.1 (renderer handlebar = mustache)", () => {
    const params = { "substitute-my-email": "my@example.com", subject: "Sample Subject", "body-part": "templating and parameter substitution" };
    expect(renderTemplate("This is an example of {{body-part}}", params, plain)).toBe("This is an example of templating and parameter substitution");
    expect(renderTemplate("{{subject}}", params, plain)).toBe("Sample Subject");
    expect(renderTemplate("{{substitute-my-email}}", params, plain)).toBe("my@example.com");
  });

  it.each([
    ["none", `<b>"Tom" & 'Jerry'</b> [x](http://evil)`],
    ["html", "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt; [x](http://evil)"],
    ["markdown", `\\<b\\>\\"Tom\\" \\& \\'Jerry\\'\\<\\/b\\> \\[x\\]\\(http\\:\\/\\/evil\\)`],
  ] as const)("escapes values for %s output, in both renderers", (escape, expected) => {
    const v = `<b>"Tom" & 'Jerry'</b> [x](http://evil)`;
    expect(renderTemplate("{{v}}", { v }, { renderer: "mustache", escape })).toBe(expected);
    expect(renderTemplate("((v))", { v }, { renderer: "gc", escape })).toBe(expected);
  });

  it("never escapes the template's own text", () => {
    expect(renderTemplate("<p>{{v}} & co</p>", { v: "<i>" }, { renderer: "mustache", escape: "html" })).toBe("<p>&lt;i&gt; & co</p>");
  });

  it("escaping is per call: one mode does not leak into the next", () => {
    expect(renderTemplate("{{v}}", { v: "<" }, { renderer: "mustache", escape: "html" })).toBe("&lt;");
    expect(renderTemplate("{{v}}", { v: "<" }, plain)).toBe("<");
  });

  it("lists every missing param once, in template order; empty string is present, null is not", () => {
    expect(missingOf(() => renderTemplate("{{a}} {{b}} {{c}} {{a}} {{d}}", { b: "", c: null }, plain))).toEqual(["a", "c", "d"]);
    expect(missingOf(() => renderTemplate("((a)) ((b)) ((c)) ((A))", { b: "", c: null }, { renderer: "gc", escape: "none" }))).toEqual(["a", "c"]);
  });

  it("throws TemplateSyntaxError for a broken mustache template", () => {
    expect(() => renderTemplate("Hi {{name", { name: "x" }, plain)).toThrow(TemplateSyntaxError);
    expect(() => renderTemplate("{{#a}}x", {}, plain)).toThrow(/Unclosed section "a"/);
  });
});

describe("requiredParams", () => {
  it("dispatches on the renderer", () => {
    expect(requiredParams("{{a}} ((b))", "mustache")).toEqual(["a"]);
    expect(requiredParams("{{a}} ((b))", "gc")).toEqual(["b"]);
  });

  it("throws TemplateSyntaxError for a broken mustache template", () => {
    expect(() => requiredParams("{{#open}} never closed", "mustache")).toThrow(TemplateSyntaxError);
    expect(() => requiredParams("{{/close}}", "mustache")).toThrow(/Unopened section "close"/);
  });
});

describe("MissingParamsError", () => {
  it("carries the names and says them", () => {
    const err = new MissingParamsError(["a", "b"]);
    expect(err.missing).toEqual(["a", "b"]);
    expect(err.message).toBe("Missing parameters: a, b");
    expect(err).toBeInstanceOf(Error);
  });
});
