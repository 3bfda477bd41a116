import { describe, expect, it } from "vitest";
import { isActiveCss } from "./active-css";

describe("isActiveCss", () => {
  it.each([
    "background:url(javascript:alert(1))",
    'background:url("JaVaScRiPt:alert(1)")',
    "background:url( 'vbscript:msgbox(1)' )",
    "background:url(java\\73 cript:alert(1))",
    "background:url(java\\000073cript:alert(1))",
    "background:url(java\\\nscript:alert(1))",
    "background:url(java\tscript:alert(1))",
    "background:\\75rl(javascript:alert(1))",
    "background:url(data:text/html,<script>alert(1)</script>)",
    "background:url(data:image/svg+xml,<svg onload=alert(1)>)",
    "background-image:image-set('javascript:alert(1)' 1x)",
    "@import 'javascript:alert(1)';",
    "@import url(livescript:x);",
    "width:expression(alert(1))",
    "width:EXPRESSION (alert(1))",
    "width:ex/**/pression(alert(1))",
    "width:\\65 xpression(alert(1))",
    "width:e\\xpression(alert(1))",
    "width:ｅｘｐｒｅｓｓｉｏｎ(alert(1))",
    "-moz-binding:url(https://x.gov/a.xml#b)",
    "-moz-bind\\69 ng:url(https://x.gov/a.xml#b)",
    "behavior:url(https://x.gov/a.htc)",
    "-ms-behavior:url(a.htc)",
    "behavior: url(#default#VML) url(a.htc)",
    // A string or escaped slash does not open a comment that would hide what follows.
    'content:"/*"; width:expression(alert(1)); content:"*/"',
    "x:\\/*;width:expression(alert(1));*/",
    // A string ends at a newline, so the next quote opens a string, not a comment.
    'content:"a\n"/*"; width:expression(alert(1))',
    // Read as written too (a reader that does not see the comment): a comment naming one counts.
    "/* expression( in a comment */ color:red",
  ])("active: %s", (css) => {
    expect(isActiveCss(css)).toBe(true);
  });

  it.each([
    "color:red; font-family:\"Segoe UI\", sans-serif",
    "background:#fff url(https://x.gov/a.png) no-repeat",
    "background-image:url('cid:logo')",
    "background-image:url(data:image/png;base64,AAAA)",
    "background:url(/img/a.png)",
    "behavior:url(#default#VML)",
    "behavior: url('#default#VML') !important",
    'content:"Note: this is not a scheme"',
    "@media only screen and (max-width:600px){.c{width:100%!important}}",
  ])("inert: %s", (css) => {
    expect(isActiveCss(css)).toBe(false);
  });

  it("is linear: 2 MB of CSS in well under a second", () => {
    const started = performance.now();
    isActiveCss("a{background:url(https://x.gov/a.png)} /* x */ ".repeat(40_000));
    isActiveCss(`"${"\\\\".repeat(500_000)}`);
    isActiveCss("/*".repeat(500_000));
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
