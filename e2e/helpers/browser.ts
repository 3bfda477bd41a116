import { existsSync } from "node:fs";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error("No Chromium found: `apt-get install -y chromium` (CI's .ci/run does this) or set CHROMIUM_PATH");
  return found;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A page in its own context, with what it did that a test may want to assert never happened. */
export interface OfflinePage {
  page: Page;
  /** Off-origin URLs the page asked for (each aborted). */
  blocked: string[];
  /** Uncaught errors of the page's scripts. */
  errors: string[];
  /** Console errors (CSP violations and failed loads among them), as `<text> at <url>`. */
  consoleErrors: string[];
}

/**
 * A page that may only talk to `origin`: anything else is aborted and recorded, so a test can
 * assert that a page works with no internet access. Page errors and console errors are recorded too.
 *
 * @example
 * const side = await offlinePage(browser, service.baseUrl, { javaScriptEnabled: false });
 * await side.page.goto(`${service.baseUrl}/admin/sign-in`);
 * expect(side.blocked).toEqual([]);
 */
export async function offlinePage(browser: Browser, origin: string, options: BrowserContextOptions = {}): Promise<OfflinePage> {
  const context = await browser.newContext(options);
  const blocked: string[] = [];
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.text()} at ${m.location().url}`);
  });
  return { page, blocked, errors, consoleErrors };
}
