import Mustache from "mustache";
import { describe, expect, it } from "vitest";
import { MissingParamsError, RenderLimitError, TemplateSyntaxError } from "./errors";
import { MAX_TEMPLATE_NESTING } from "./limits";
import { renderMustache, requiredMustacheParams } from "./mustache";

describe("requiredMustacheParams", () => {
  it("requires variables outside sections, in every tag form, once, in order", () => {
    expect(requiredMustacheParams("{{b}} {{{a}}} {{& c}} {{ b }} {{d.e}} {{! comment }}")).toEqual(["b", "a", "c", "d.e"]);
  });

  it("treats section and inverted-section names, and what they contain, as optional", () => {
    expect(requiredMustacheParams("{{first}}{{#vip}} {{title}}{{/vip}}{{^paid}} {{amount}}{{/paid}}{{#items}}{{.}}{{/items}}")).toEqual(["first"]);
  });
});

describe("renderMustache", () => {
  it("renders sections when present and truthy, inverted sections otherwise", () => {
    const t = "Hi{{#vip}} {{title}}{{/vip}}{{^vip}} there{{/vip}}";
    expect(renderMustache(t, {}, "none")).toBe("Hi there");
    expect(renderMustache(t, { vip: false }, "none")).toBe("Hi there");
    expect(renderMustache(t, { vip: { title: "Dr" } }, "none")).toBe("Hi Dr");
    expect(renderMustache("{{#items}}<i>{{.}}</i>{{/items}}", { items: ["<a>", "b"] }, "html")).toBe("<i>&lt;a&gt;</i><i>b</i>");
  });

  it("resolves dotted names through objects", () => {
    expect(renderMustache("{{user.name}}", { user: { name: "Ann" } }, "none")).toBe("Ann");
    expect(() => renderMustache("{{user.name}}", { user: {} }, "none")).toThrow(MissingParamsError);
  });

  it("stringifies numbers and booleans, and escapes them like any value", () => {
    expect(renderMustache("{{n}} {{b}} {{z}}", { n: 3.5, b: false, z: 0 }, "markdown")).toBe("3\\.5 false 0");
  });

  it("does not treat Object.prototype members as parameters", () => {
    expect(() => renderMustache("{{constructor}}", {}, "none")).toThrow(MissingParamsError);
    expect(renderMustache("{{#toString}}x{{/toString}}", {}, "none")).toBe("");
  });

  it("prints an object given where text is expected as JSON, escaped like any value, and never throws", () => {
    const params = { a: { b: { c: [1, { d: "<x>" }] } } };
    expect(renderMustache("{{a.b}}", params, "html")).toBe("{&quot;c&quot;:[1,{&quot;d&quot;:&quot;&lt;x&gt;&quot;}]}");
    expect(renderMustache("{{{a.b}}}", params, "none")).toBe('{"c":[1,{"d":"<x>"}]}');
    expect(renderMustache("{{a.b.c}}", params, "none")).toBe('1,{"d":"<x>"}');
    expect(renderMustache("{{#a.b.c}}[{{.}}]{{/a.b.c}}", params, "none")).toBe('[1][{"d":"<x>"}]');
  });

  it("refuses partials, inside sections too, as a template error", () => {
    expect(() => renderMustache("a{{> footer}}b", {}, "none")).toThrow(/Partials are not supported: "\{\{> footer\}\}" at 1/);
    expect(() => requiredMustacheParams("{{#x}}{{> constructor}}{{/x}}")).toThrow(TemplateSyntaxError);
  });

  it("escapes {{{v}}} and {{&v}} like {{v}} in HTML and markdown; only text output is raw", () => {
    for (const t of ["{{{v}}}", "{{&v}}", "{{& v}}", "{{v}}"]) {
      expect(renderMustache(t, { v: "<b>x</b>" }, "html")).toBe("&lt;b&gt;x&lt;/b&gt;");
      expect(renderMustache(t, { v: "<b>*x*</b>" }, "markdown")).toBe("\\<b\\>\\*x\\*\\<\\/b\\>");
      expect(renderMustache(t, { v: "<b>" }, "none")).toBe("<b>");
    }
  });

  it("leaves the shared mustache instance alone", () => {
    const { escape } = Mustache;
    renderMustache("{{v}}", { v: "<" }, "markdown");
    expect(Mustache.escape).toBe(escape);
    expect(Mustache.render("{{v}}", { v: "<" })).toBe("&lt;");
  });
});

describe("renderMustache: no prototype is reachable", () => {
  it.each([
    ["{{#a}}{{#map}}x{{/map}}{{/a}}", { a: [[1]] }],
    ["{{#a}}{{constructor.name}}{{/a}}", { a: [[1]] }],
    ["{{#a}}{{constructor.name}}{{/a}}", { a: {} }],
    ["{{#a}}{{#b}}{{constructor.name}}{{/b}}{{/a}}", { a: { b: [1] } }],
    ["{{#a}}{{#b}}{{constructor.name}}{{/b}}{{/a}}", { a: [{ b: "s" }] }],
    ["{{#a}}{{toString}}{{hasOwnProperty}}{{__proto__}}{{valueOf}}{{/a}}", { a: [1, "s", [2], { k: 1 }] }],
    ["{{#a}}{{#.}}{{constructor}}{{/.}}{{/a}}", { a: [[[1]]] }],
    ["{{#s}}{{length}}{{0}}{{/s}}", { s: "text" }],
    ["{{#n}}{{toFixed}}{{/n}}", { n: 5 }],
  ])("%s renders nothing and does not throw", (template, params) => {
    expect(renderMustache(template, params, "none")).toBe("");
  });

  it.each(["{{constructor}}", "{{__proto__}}", "{{toString}}", "{{hasOwnProperty}}", "{{a.constructor.name}}", "{{a.__proto__}}", "{{a.map}}"])(
    "%s is a missing parameter",
    (template) => {
      try {
        renderMustache(template, { a: [1] }, "none");
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(MissingParamsError);
        expect((err as MissingParamsError).missing).toEqual([template.slice(2, -2)]);
      }
    },
  );

  it("an array's own length and items are data", () => {
    expect(renderMustache("{{a.length}}:{{#a}}{{length}}{{/a}}|{{a.0}}", { a: [[1, 2]] }, "none")).toBe("1:2|1,2");
  });

  it("own keys that happen to share a prototype member's name are ordinary parameters", () => {
    const params = JSON.parse('{"__proto__": "p", "constructor": "c", "map": "m"}') as Record<string, unknown>;
    expect(renderMustache("{{__proto__}} {{constructor}} {{map}}", params, "none")).toBe("p c m");
  });
});

describe("renderMustache: bounded work", () => {
  it(`refuses sections nested more than ${MAX_TEMPLATE_NESTING} deep as a template error, however deep`, () => {
    const nested = (n: number) => "{{#a}}".repeat(n) + "x" + "{{/a}}".repeat(n);
    expect(renderMustache(nested(MAX_TEMPLATE_NESTING), { a: true }, "none")).toBe("x");
    expect(() => renderMustache(nested(MAX_TEMPLATE_NESTING + 1), { a: true }, "none")).toThrow(RenderLimitError);
    expect(() => requiredMustacheParams(nested(100_000))).toThrow(/nested more than 20 deep/);
  });

  it("refuses output past the bound instead of truncating it", () => {
    const a = Array.from({ length: 1000 }, () => 1);
    const template = "{{#a}}{{#a}}{{#a}}0123456789{{/a}}{{/a}}{{/a}}";
    const started = Date.now();
    expect(() => renderMustache(template, { a }, "none")).toThrow(/more than 100000 characters/);
    expect(() => renderMustache(template, { a }, "none", 2_000_000)).toThrow(RenderLimitError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(renderMustache("{{#a}}x{{/a}}", { a }, "none", 1000)).toHaveLength(1000);
    expect(() => renderMustache("{{#a}}x{{/a}}", { a }, "none", 999)).toThrow(RenderLimitError);
  });

  it("refuses sections that repeat without output past the step bound", () => {
    const a = Array.from({ length: 100 }, () => 1);
    const template = "{{#a}}".repeat(6) + "{{/a}}".repeat(6);
    const started = Date.now();
    expect(() => renderMustache(template, { a }, "none")).toThrow(/steps/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
