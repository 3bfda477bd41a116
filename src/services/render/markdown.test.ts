import { describe, expect, it } from "vitest";
import { RenderLimitError } from "./errors";
import { escapeMarkdown } from "./escape";
import { MAX_MARKDOWN_BYTES, MAX_MARKDOWN_NESTING } from "./limits";
import { checkMarkdown, markdownToHtml, markdownToText, renderMarkdown } from "./markdown";

describe("markdownToHtml", () => {
  it("renders GFM", () => {
    const html = markdownToHtml("# Title\n\n**Welcome**, see [the form](https://x.gov/f?a=1&b=2)\n\n* one\n* two\n\n~~old~~");
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>Welcome</strong>");
    expect(html).toContain('<a href="https://x.gov/f?a=1&amp;b=2">the form</a>');
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<del>old</del>");
  });

  it("makes a single newline a line break", () => {
    expect(markdownToHtml("line one\nline two")).toBe("<p>line one<br>\nline two</p>\n");
  });

  it("escapes raw HTML in the source, block and inline", () => {
    expect(markdownToHtml("<div onclick=x>hi</div>")).toBe("<p>&lt;div onclick=x&gt;hi&lt;/div&gt;</p>\n");
    expect(markdownToHtml("hi <script>alert(1)</script> <b>x</b>")).toBe("<p>hi &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;</p>\n");
  });

  it("drops links to script and data URLs, keeping their text", () => {
    expect(markdownToHtml("[click](javascript:alert(1))")).toBe("<p>click</p>\n");
    expect(markdownToHtml("[click](mailto:a@b.gov)")).toBe('<p><a href="mailto:a@b.gov">click</a></p>\n');
  });

  it("keeps escaped values literal", () => {
    const value = escapeMarkdown("[click](http://evil) *now* <b> www.evil.com");
    expect(markdownToHtml(`Hi ${value}`)).toBe("<p>Hi [click](http://evil) *now* &lt;b&gt; www.evil.com</p>\n");
  });

  it("an escaped value still works as a link address", () => {
    expect(markdownToHtml(`[Reset](${escapeMarkdown("https://x.gov/r?t=a_b&u=1")})`)).toBe('<p><a href="https://x.gov/r?t=a_b&amp;u=1">Reset</a></p>\n');
  });
});

describe("markdownToText", () => {
  it("writes headings and paragraphs as lines separated by a blank line", () => {
    expect(markdownToText("# Title\n\nFirst **bold** _em_ `code`.\n\n## Next\nSecond")).toBe("Title\n\nFirst bold em code.\n\nNext\n\nSecond");
  });

  it("writes links as text (url), and bare URLs once", () => {
    expect(markdownToText("See [the form](https://x.gov) or https://y.gov")).toBe("See the form (https://x.gov) or https://y.gov");
  });

  it("writes lists with * and numbers, nested lists indented", () => {
    expect(markdownToText("* a\n* b\n  * b1\n\n1. one\n2. two")).toBe("* a\n* b\n  * b1\n\n1. one\n2. two");
  });

  it("keeps line breaks, quotes, rules and code", () => {
    expect(markdownToText("a\nb\n\n> quoted\n\n---\n\n```\nx = 1\n```")).toBe("a\nb\n\nquoted\n\n---\n\nx = 1");
  });

  it("shows escaped characters as typed", () => {
    expect(markdownToText("\\*not bold\\* & <b>")).toBe("*not bold* & <b>");
  });
});

describe("link safety", () => {
  it.each([
    "[d](javascript:alert(1))",
    "[d](&#106;avascript:alert(1))",
    "[d](&#x6A;avascript:alert(1))",
    "[d](javascript&colon;alert(1))",
    "[d](java\tscript:alert(1))",
    "[d][r]\n\n[r]: &#106;avascript:alert(1)",
    "[d](data:text/html,x)",
    "![i](data:image/png;base64,AAAA)",
  ])("drops the link in %s", (md) => {
    const html = markdownToHtml(md);
    expect(html).not.toMatch(/href=|src=/);
  });

  it("turns an image with a refused address into its alt text", () => {
    expect(markdownToHtml("![logo](javascript:alert(1))")).toBe("<p>logo</p>\n");
    expect(markdownToHtml("![logo](https://x.gov/l.png)")).toBe('<p><img src="https://x.gov/l.png" alt="logo"></p>\n');
  });

  it("keeps http, https and mailto links", () => {
    expect(markdownToHtml("[a](https://x.gov) [b](mailto:a@x.gov)")).toContain('href="https://x.gov"');
  });
});

describe("bounds", () => {
  it(`refuses more than ${MAX_MARKDOWN_BYTES} bytes, counted in UTF-8`, () => {
    expect(checkMarkdown("a".repeat(MAX_MARKDOWN_BYTES))).toBeNull();
    expect(checkMarkdown("a".repeat(MAX_MARKDOWN_BYTES + 1))).toMatch(/longer than 100000 bytes/);
    expect(checkMarkdown("é".repeat(MAX_MARKDOWN_BYTES / 2 + 1))).toMatch(/longer than/);
    expect(() => markdownToHtml("a".repeat(MAX_MARKDOWN_BYTES + 1))).toThrow(RenderLimitError);
  });

  const deep = [MAX_MARKDOWN_NESTING + 2, 2000, 30_000];
  const lines = [MAX_MARKDOWN_NESTING + 2, 300];
  it.each([
    ["blockquotes", (n: number) => ">".repeat(n) + " a", deep],
    ["blockquote lines", (n: number) => Array.from({ length: n }, (_, i) => "> ".repeat(i + 1) + "a").join("\n"), lines],
    ["bullet lists", (n: number) => "- ".repeat(n) + "a", deep],
    ["ordered lists", (n: number) => "1. ".repeat(n) + "a", deep],
    ["indented lists", (n: number) => Array.from({ length: n }, (_, i) => "  ".repeat(i) + "- a").join("\n"), lines],
    ["quotes in lists", (n: number) => "- > ".repeat(n / 2) + "a", deep],
  ])(`allows %s ${MAX_MARKDOWN_NESTING} deep and refuses them deeper, as an error`, (_name, make, depths) => {
    expect(checkMarkdown(make(MAX_MARKDOWN_NESTING))).toBeNull();
    expect(markdownToText(make(MAX_MARKDOWN_NESTING))).toContain("a");
    for (const n of depths) {
      const source = make(n);
      expect(source.length).toBeLessThanOrEqual(MAX_MARKDOWN_BYTES);
      expect(checkMarkdown(source)).toMatch(/nested more than 20 deep/);
      expect(() => markdownToHtml(source)).toThrow(RenderLimitError);
    }
  });

  // marked took 2.7 s for 50,000 `*a` and 11.6 s for 10,000 `*_a`; these are the inputs a
  // quadratic parser chokes on, each at the size bound. Generous ceilings: the point is no stall.
  it.each(["*a", "_a", "**a", "a*", "*_a", "~~a", "[a", "[", "![", "[a](", "`a``", "<a", "&#", "\\*", "<http://a", "http://a.b "])(
    "renders %s repeated up to the size bound in well under a second",
    (unit) => {
      const source = unit.repeat(Math.floor(MAX_MARKDOWN_BYTES / unit.length));
      const started = performance.now();
      renderMarkdown(source);
      expect(performance.now() - started).toBeLessThan(1500);
    },
  );
});
