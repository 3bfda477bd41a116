import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";

/** Where the README's admin screenshots go (`npm run screenshots`); unset in CI, so nothing is written into the repo. */
const DIR = process.env.ADMIN_SCREENSHOTS;

/** Whether this run takes screenshots, for a test that must make something first only to picture it. */
export const SCREENSHOTS = DIR !== undefined && DIR !== "";

export interface Shot {
  /** File name without `.png`. */
  name: string;
  url: string;
  /** Viewport width; 1280 unless a narrow-screen shot. */
  width?: number;
  height?: number;
}

/**
 * Saves a viewport-sized PNG of each page under `$ADMIN_SCREENSHOTS`, or does nothing when the
 * variable is unset. Viewport only, never full page, so each image stays small enough for git.
 *
 * @example
 * await takeScreenshots(page, [{ name: "dashboard", url: `${base}/admin/dashboard` }]);
 */
export async function takeScreenshots(page: Page, shots: Shot[]): Promise<string[]> {
  if (!DIR) return [];
  mkdirSync(DIR, { recursive: true });
  // The a11y crawl may leave forced colours on; the README shows the ordinary rendering.
  await page.emulateMedia({ forcedColors: "none", colorScheme: "light", reducedMotion: "reduce" });
  const written: string[] = [];
  for (const shot of shots) {
    await page.setViewportSize({ width: shot.width ?? 1280, height: shot.height ?? 800 });
    const res = await page.goto(shot.url);
    if (res?.status() !== 200) throw new Error(`screenshot ${shot.name}: ${shot.url} answered ${res?.status()}`);
    const path = join(DIR, `${shot.name}.png`);
    await page.screenshot({ path, fullPage: false, animations: "disabled", caret: "hide" });
    written.push(path);
  }
  return written;
}
