import { describe, expect, it } from "vitest";
import { htmlToText } from "./html-text";

describe("htmlToText", () => {
  it.each([
    ["paragraphs and line breaks", "<p>Hello<br/>there</p>\n<p>Bye</p>", "Hello\nthere\n\nBye"],
    ["source whitespace collapses", "<p>Hello\n      world</p>", "Hello world"],
    ["headings and divs are blocks", "<h1>Title</h1><div>Body</div>", "Title\n\nBody"],
    ["list items", "<p>List:</p><ul><li>a</li><li><b>b</b></li></ul><p>after</p>", "List:\n\n* a\n* b\n\nafter"],
    ["links keep their address", '<a href="https://x.gov/a?b=1&amp;c=2">the <b>form</b></a>', "the form (https://x.gov/a?b=1&c=2)"],
    ["a link whose text is its address", "<a href='https://x.gov'>https://x.gov</a> <a href=\"mailto:a@b.gov\">a@b.gov</a>", "https://x.gov a@b.gov"],
    ["entities", "<p>Tom &amp; Jerry &lt;3 &#39;x&#39; &#x263A; &hellip; &bogus;</p>", "Tom & Jerry <3 'x' ☺ … &bogus;"],
    ["scripts, styles, comments and head dropped", "<html><head><title>T</title><style>p{}</style></head><body><!-- c --><script>x()</script><p>Hi</p></body></html>", "Hi"],
    ["table cells and rows", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"],
    ["a lone < is text", "<p>1 < 2</p>", "1 < 2"],
  ])("%s", (_name, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});
