import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

// axe from node_modules, never a CDN: the browser is offline.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
// A11Y_BEST_PRACTICE=1 adds axe's best-practice rules (heading order, landmarks, regions): clean
// when this was written, but not WCAG, so not a gate for screens being built.
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", ...(process.env.A11Y_BEST_PRACTICE ? ["best-practice"] : [])];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe's WCAG 2.x A/AA violations of the page, one line each (`rule (impact): help — targets`).
 * `page.addScriptTag({ content })` adds an inline script, which the admin CSP (nonces only)
 * refuses, so axe is evaluated through the DevTools protocol, which the page CSP does not govern;
 * the page keeps its real CSP for the other checks. axe's run is a promise, which a page without
 * JavaScript never settles: call it only on pages with JavaScript enabled.
 *
 * @example
 * await page.goto(`${base}/admin/dashboard`);
 * expect(await axeViolations(page)).toEqual([]);
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>(`"axe" in window`))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(WCAG_TAGS)} } }).then((r) => r.violations)`);
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
