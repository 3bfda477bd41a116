import Mustache from "mustache";
import { describe, expect, it } from "vitest";
import { MissingParamsError, TemplateSyntaxError } from "./errors";
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
    expect(renderMustache("{{{a.b}}}", params, "html")).toBe('{"c":[1,{"d":"<x>"}]}');
    expect(renderMustache("{{a.b.c}}", params, "none")).toBe('1,{"d":"<x>"}');
    expect(renderMustache("{{#a.b.c}}[{{.}}]{{/a.b.c}}", params, "none")).toBe('[1][{"d":"<x>"}]');
  });

  it("refuses partials, inside sections too, as a template error", () => {
    expect(() => renderMustache("a{{> footer}}b", {}, "none")).toThrow(/Partials are not supported: "\{\{> footer\}\}" at 1/);
    expect(() => requiredMustacheParams("{{#x}}{{> constructor}}{{/x}}")).toThrow(TemplateSyntaxError);
  });

  it("triple mustache is the template's explicit opt-out of escaping", () => {
    expect(renderMustache("{{{v}}}", { v: "<b>" }, "html")).toBe("<b>");
  });

  it("leaves the shared mustache instance alone", () => {
    const { escape } = Mustache;
    renderMustache("{{v}}", { v: "<" }, "markdown");
    expect(Mustache.escape).toBe(escape);
    expect(Mustache.render("{{v}}", { v: "<" })).toBe("&lt;");
  });
});
