import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "./escape";
import { markdownToHtml, markdownToText } from "./markdown";

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
    expect(markdownToHtml("line one\nline two")).toBe("<p>line one<br>line two</p>\n");
  });

  it("escapes raw HTML in the source, block and inline", () => {
    expect(markdownToHtml("<div onclick=x>hi</div>")).toBe("&lt;div onclick=x&gt;hi&lt;/div&gt;");
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

  it("keeps http, https and mailto links", () => {
    expect(markdownToHtml("[a](https://x.gov) [b](mailto:a@x.gov)")).toContain('href="https://x.gov"');
  });
});
