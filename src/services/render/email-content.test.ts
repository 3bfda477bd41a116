import { describe, expect, it } from "vitest";
import { type MissingParamsError, RenderLimitError } from "./engine";
import { MAX_MARKDOWN_BYTES } from "./limits";
import { renderEmailContent } from "./email-content";

describe("renderEmailContent", () => {
  it("renders the seed's example 2.1", () => {
    const out = renderEmailContent(
      { subject: "{{subject}}", body: "This is an example of {{body-part}}", bodyType: "text" },
      { subject: "Sample Subject", "body-part": "templating and parameter substitution" },
      "mustache",
    );
    expect(out).toEqual({
      subject: "Sample Subject",
      body: "This is an example of templating and parameter substitution",
      bodyType: "text",
      text: "This is an example of templating and parameter substitution",
    });
  });

  it("subject: values verbatim, newlines collapsed to one space, trimmed", () => {
    const out = renderEmailContent({ subject: " Hi\r\n  {{n}}\n", body: "x", bodyType: "text" }, { n: "<Ann & co>\nLtd" }, "mustache");
    expect(out.subject).toBe("Hi <Ann & co> Ltd");
  });

  it("text bodies: values verbatim, text only", () => {
    const out = renderEmailContent({ subject: "s", body: "<{{n}}>", bodyType: "text" }, { n: "Ann & co" }, "mustache");
    expect(out).toEqual({ subject: "s", body: "<Ann & co>", bodyType: "text", text: "<Ann & co>" });
  });

  it("html bodies: values escaped, with a derived text alternative", () => {
    const out = renderEmailContent(
      { subject: "s", body: '<p>Hi {{n}}</p><p><a href="https://x.gov">form</a></p>', bodyType: "html" },
      { n: "<b>Ann</b>" },
      "mustache",
    );
    expect(out.body).toBe('<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p><p><a href="https://x.gov">form</a></p>');
    expect(out.html).toBe(out.body);
    expect(out.text).toBe("Hi <b>Ann</b>\n\nform (https://x.gov)");
  });

  it("markdown bodies: source as body; html and text show values as typed", () => {
    const out = renderEmailContent({ subject: "s", body: "# Hello {{n}}\n\n**Welcome**", bodyType: "markdown" }, { n: "[x](http://evil) <b>" }, "mustache");
    expect(out.body).toBe("# Hello [x](http://evil) <b>\n\n**Welcome**");
    expect(out.html).toBe("<h1>Hello [x](http://evil) &lt;b&gt;</h1>\n<p><strong>Welcome</strong></p>\n");
    expect(out.text).toBe("Hello [x](http://evil) <b>\n\nWelcome");
  });

  it("gc renderer: conditionals and lists in markdown", () => {
    const out = renderEmailContent(
      { subject: "((Ref))", body: "Dear ((first name))((vip??, welcome back))\n\nYou ordered:((items))", bodyType: "markdown" },
      { ref: "R1", first_name: "Ann", vip: "yes", items: ["tea", "cake"] },
      "gc",
    );
    expect(out.subject).toBe("R1");
    expect(out.body).toBe("Dear Ann, welcome back\n\nYou ordered:tea and cake");
    expect(out.html).toBe("<p>Dear Ann, welcome back</p>\n<p>You ordered:</p>\n<ul>\n<li>tea</li>\n<li>cake</li>\n</ul>\n");
    expect(out.text).toBe("Dear Ann, welcome back\n\nYou ordered:\n\n* tea\n* cake");
  });

  it("throws one MissingParamsError for subject and body together, subject's first", () => {
    for (const bodyType of ["text", "html", "markdown"] as const) {
      try {
        renderEmailContent({ subject: "{{s}} {{a}}", body: "{{b}} {{a}} {{c}}", bodyType }, { c: "" }, "mustache");
        expect.unreachable();
      } catch (err) {
        expect((err as MissingParamsError).missing).toEqual(["s", "a", "b"]);
      }
    }
  });

  it("a parameter cannot inject markup or a script address into an HTML body, whatever the tag form", () => {
    const body = '<p>{{{p}}} {{&p}} {{p}}</p><a href="{{q}}">a</a><a href="{{{q}}}">b</a><a href="{{s}}{{t}}">c</a><a href={{u}}>d</a>';
    const out = renderEmailContent(
      { subject: "s", body, bodyType: "html" },
      { p: "<img src=x onerror=alert(1)>", q: " JaVaScRiPt:alert(1)", s: "java", t: "script:alert(1)", u: "https://x.gov onmouseover=alert(1)" },
      "mustache",
    );
    expect(out.html).not.toMatch(/<img|javascript:|onmouseover/i);
    expect(out.html).toContain("<p>&lt;img src=x onerror=alert(1)&gt; &lt;img");
    expect(out.html).toContain('<a href="https://x.gov">d</a>');
    expect(out.text).toContain("<img src=x onerror=alert(1)>");
  });

  it.each([
    ['<iframe srcdoc="{{p}}"></iframe>ok', { p: "<script>alert(document.domain)</script>" }],
    ['<div srcdoc="{{p}}">ok</div>', { p: "<script>alert(document.domain)</script>" }],
    ['<meta http-equiv="refresh" content="0;url={{q}}">ok', { q: "javascript:alert(1)" }],
    ['<meta http-equiv="{{e}}" content="0;url=https://evil.example">ok', { e: "refresh" }],
    ['<svg><a href="#"><set attributeName="href" to="{{q}}"/>ok</a></svg>', { q: "javascript:alert(1)" }],
    ['<svg><a href="#"><animate attributeName="href" values="{{q}}"/>ok</a></svg>', { q: "javascript:alert(1)" }],
    ['<div style="background:url({{q}})">ok</div>', { q: "javascript:alert(1)" }],
    ['<div style="{{s}}">ok</div>', { s: "width:expression(alert(1))" }],
    ["<style>p{background:url({{q}})}</style>ok", { q: "javascript:alert(1)" }],
    ["<p title={{t}}>ok</p>", { t: "x style=behavior:url(a.htc)" }],
  ])("a parameter cannot form active content in an HTML body: %s", (body, params) => {
    const out = renderEmailContent({ subject: "s", body, bodyType: "html" }, params, "mustache");
    expect(out.html).not.toMatch(/script|srcdoc|http-equiv|<set|<animate|expression|behavior|refresh/i);
    expect(out.text).toMatch(/^ok( \(#\))?$/);
  });

  it("the tenant's own safe links stay; its script links go too", () => {
    const out = renderEmailContent(
      { subject: "s", body: '<a href="https://x.gov/{{id}}">ok</a><a href="javascript:void(0)">no</a>', bodyType: "html" },
      { id: "1" },
      "mustache",
    );
    expect(out.html).toBe('<a href="https://x.gov/1">ok</a><a>no</a>');
  });

  it("a parameter cannot inject markup or links into a markdown body, whatever the tag form", () => {
    const out = renderEmailContent({ subject: "s", body: "{{{p}}} {{&p}} [x]({{q}})", bodyType: "markdown" }, { p: "<b>[l](https://evil)</b>", q: "javascript:alert(1)" }, "mustache");
    expect(out.html).toBe("<p>&lt;b&gt;[l](https://evil)&lt;/b&gt; &lt;b&gt;[l](https://evil)&lt;/b&gt; x</p>\n");
  });

  it("refuses a markdown body past the size or nesting bound once rendered, as a RenderLimitError", () => {
    const render = (body: string, params: Record<string, unknown>) => () => renderEmailContent({ subject: "s", body, bodyType: "markdown" }, params, "mustache");
    expect(render("{{#q}}> {{/q}}x", { q: Array.from({ length: 2000 }, () => 1) })).toThrow(RenderLimitError);
    expect(render("{{v}}", { v: "a".repeat(MAX_MARKDOWN_BYTES + 1) })).toThrow(/longer than/);
    expect(render("{{v}}", { v: "a".repeat(1000) })).not.toThrow();
  });
});
