import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Download, Page } from "playwright-core";
import { expectQuiet, inbox, signInTenantAdmin } from "./helpers/admin-session";
import { axeViolations } from "./helpers/axe";
import { launch, offlinePage } from "./helpers/browser";

const service = inject("service");
/** More rows than a merge renders within its request (plan.ts FANOUT_MIN_ROWS): this one is fanned out. */
const ROWS = 104;

/** An SMS template through the API (the merge is what is tested here). */
async function smsTemplate(name: string): Promise<string> {
  const res = await fetch(`${service.baseUrl}/api/v1/templates`, {
    method: "POST",
    headers: { "x-api-key": service.liveKey, "content-type": "application/json" },
    body: JSON.stringify({ name, channel: "sms", body: "Hi {{name}}, your code is {{code}}" }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = (await Promise.all([page.waitForEvent("download"), click()])) as [Download, void];
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "") };
}

/** Distinct numbers per run, so the runs are not one another's duplicates within the window. */
const phone = (run: number, row: number) => `+1613555${String(run * 200 + row).padStart(4, "0")}`;

/** Row 3 has a number that is not one, row 4 lacks its code. */
function badFile(run: number): string {
  return ["phone number,name,code", `${phone(run, 1)},Ann,1`, `${phone(run, 2)},Bob,2`, "12,Cy,3", `${phone(run, 4)},Di,`].join("\r\n") + "\r\n";
}

/** ROWS good rows, except that row 50's name makes its text longer than a text may be: checked up front only by its recipient, it fails in the fan-out. */
function fixedFile(run: number): string {
  const rows = Array.from({ length: ROWS }, (_, i) => `${phone(run, i + 1)},${i + 1 === 50 ? "x".repeat(1000) : `Person ${i + 1}`},${i + 1}`);
  return ["phone number,name,code", ...rows].join("\r\n") + "\r\n";
}

/**
 * Waits (up to three minutes) for the status API to report the merge finished; answers its status
 * and counts. Locally the dev sink's delivery receipts are what finish each message.
 */
async function mergeFinished(notifyId: string): Promise<{ status: string; counts: Record<string, number> }> {
  let state = { status: "", counts: {} };
  for (let i = 0; i < 360; i++) {
    state = (await (await fetch(`${service.baseUrl}/api/v1/notify/${notifyId}`, { headers: { "x-api-key": service.liveKey } })).json()) as typeof state;
    if (["delivered", "partially-failed", "failed", "cancelled"].includes(state.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return state;
}

describe("admin UI in a browser: a mail merge from a CSV file", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const [run, javaScriptEnabled] of [
    [1, true],
    [2, false],
  ] as const) {
    it(`uploads a file with errors, downloads them, uploads the fixed file, previews a row, sends and follows the merge to the end ${javaScriptEnabled ? "with" : "without"} JavaScript`, async () => {
      const side = await offlinePage(browser, service.baseUrl, { javaScriptEnabled });
      const { page } = side;
      const violations: string[] = [];
      // axe's run is a promise, which a page without JavaScript never settles: the run with it checks the same pages.
      const checkA11y = async () => {
        // After the page's stylesheet has loaded: target sizes are measured on the styled page.
        await page.waitForLoadState("load");
        if (javaScriptEnabled) violations.push(...(await axeViolations(page)).map((v) => `${new URL(page.url()).pathname}: ${v}`));
      };
      await signInTenantAdmin(page, "merger");
      const name = `Codes ${javaScriptEnabled ? "js" : "nojs"} ${crypto.randomUUID().slice(0, 6)}`;
      await smsTemplate(name);

      await page.getByRole("link", { name: "Send", exact: true }).click();
      await page.getByRole("link", { name: `Send ${name} to a list` }).click();
      await checkA11y();
      const example = await downloaded(page, () => page.getByRole("link", { name: `Download an example CSV file for ${name}` }).click());
      expect(example.text).toBe("phone number,name,code\r\n+16135550142,example name,example code\r\n");

      await page.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(badFile(run)) });
      await page.getByRole("button", { name: "Upload and check" }).click();
      await page.waitForURL(/\/admin\/send\/uploads\/[0-9a-f]{32}$/);
      await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Your file cannot be sent yet");
      await page.locator(".error-summary:focus").waitFor({ timeout: 5_000 });
      const table = page.getByRole("table", { name: /Row errors/ });
      await expect(table.locator("tbody tr").count()).resolves.toBe(2);
      await expect(table.locator("tbody tr").first().innerText()).resolves.toMatch(/^3\tto\t/);
      await expect(table.locator("tbody tr").nth(1).innerText()).resolves.toBe("4\tcode\tRequired by the template but not supplied");
      await expect(page.getByRole("button", { name: /^Send/ }).count()).resolves.toBe(0);
      await checkA11y();
      const errorsCsv = await downloaded(page, () => page.getByRole("link", { name: "Download all 2 errors as CSV" }).click());
      expect(errorsCsv.name).toBe("people-errors.csv");
      expect(errorsCsv.text.split("\r\n").slice(0, 3)).toEqual(["row,column,message", expect.stringMatching(/^3,to,/), "4,code,Required by the template but not supplied"]);

      await page.getByLabel("CSV file").setInputFiles({ name: "people-fixed.csv", mimeType: "text/csv", buffer: Buffer.from(fixedFile(run)) });
      await page.getByRole("button", { name: "Upload and check" }).click();
      await page.waitForURL(/\/admin\/send\/uploads\/[0-9a-f]{32}$/);
      await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe(`Check and send ${ROWS} messages`);
      await checkA11y();
      const checkUrl = page.url();

      await page.getByLabel("Row number").fill("7");
      await page.getByRole("button", { name: "Preview row" }).click();
      await page.waitForURL(/\/preview\?row=7$/);
      await expect(page.locator(".summary-list").innerText()).resolves.toContain("Hi Person 7, your code is 7");
      await checkA11y();
      await page.getByRole("link", { name: "Next row (8)" }).click();
      await expect(page.locator(".summary-list").innerText()).resolves.toContain("Hi Person 8, your code is 8");
      await page.getByRole("link", { name: "Back to the check" }).click();
      await page.waitForURL(checkUrl);

      await page.getByLabel("Now", { exact: true }).check();
      await page.getByRole("button", { name: `Send ${ROWS} messages` }).click();
      await page.waitForURL(/\/admin\/send\/merges\/[0-9a-f-]{36}$/);
      const progressUrl = page.url();
      await checkA11y();
      const finished = page.getByRole("link", { name: /^Download the 1 failed message as CSV$/ });
      if (javaScriptEnabled) {
        // The block refreshes itself: the page is never reloaded (a reload would lose this mark).
        await page.evaluate(`window.__stayed = true`);
        // The service's own view first, so a stalled merge is told apart from a page that does not refresh.
        const state = await mergeFinished(progressUrl.split("/").pop()!);
        expect(state.status, JSON.stringify(state)).toBe("partially-failed");
        await finished.waitFor({ timeout: 15_000 });
        await expect(page.evaluate<boolean>(`window.__stayed === true`)).resolves.toBe(true);
      } else {
        for (let i = 0; i < 120 && !(await finished.count()); i++) {
          await new Promise((r) => setTimeout(r, 1000));
          await page.getByRole("link", { name: "Refresh the progress" }).click();
        }
      }
      expect(page.url()).toBe(progressUrl);
      await expect(page.locator("#merge-progress-text").innerText()).resolves.toContain(`${ROWS} of ${ROWS} messages done (100%)`);
      await expect(page.locator("#merge-progress").getAttribute("hx-get")).resolves.toBeNull();
      await checkA11y();
      const failures = await downloaded(page, () => finished.click());
      const lines = failures.text.split("\r\n");
      expect(lines[0]).toBe("recipient,channel,status,error code,error message,message id,completed at");
      // The + of a number is escaped as spreadsheets would run it.
      expect(lines[1]).toMatch(new RegExp(`^'\\${phone(run, 50)},sms,technical-failure,merge_row_failed,`));

      // The dev sink received the other rows.
      expect(JSON.stringify(await inbox())).toContain("Hi Person 7, your code is 7");

      expect(violations).toEqual([]);
      // None expected: the upload with errors answers 200; only refused forms answer 4xx.
      expectQuiet(side);
      await page.context().close();
    }, 300_000);
  }

  it("keyboard only: upload, preview a row, send, follow the progress and download the failures", async () => {
    const side = await offlinePage(browser, service.baseUrl);
    const { page } = side;
    await signInTenantAdmin(page, "merger");
    const name = `Codes kbd ${crypto.randomUUID().slice(0, 6)}`;
    const templateId = await smsTemplate(name);
    await page.goto(`${service.baseUrl}/admin/send`);

    /** Tabs until the focused element is the one named (its href, its text or its label), then answers its description. */
    const tabTo = async (matches: string, max = 60) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate<string[]>(`(() => { const e = document.activeElement; return [e?.getAttribute("href") ?? "", e?.textContent?.trim() ?? "", e?.labels?.[0]?.textContent?.trim() ?? ""]; })()`);
        if (focused.includes(matches)) return focused;
      }
      throw new Error(`Tab never reached ${matches}`);
    };

    await tabTo(`/admin/send/${templateId}/merge`);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/merge$/);
    await tabTo("CSV file");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
    await chooser.setFiles({ name: "keyboard.csv", mimeType: "text/csv", buffer: Buffer.from(fixedFile(3)) });
    await tabTo("Upload and check");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/send\/uploads\/[0-9a-f]{32}$/);

    await tabTo("Row number");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("50");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/preview\?row=50$/);
    // Row 50's problem is shown on its preview before anything is sent.
    await expect(page.locator("main").innerText()).resolves.toContain("text messages may be at most 918");
    await tabTo("Back to the check");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/send\/uploads\/[0-9a-f]{32}$/);

    await tabTo(`Send ${ROWS} messages`);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/send\/merges\/[0-9a-f-]{36}$/);
    await page.getByRole("link", { name: "Download the 1 failed message as CSV" }).waitFor({ timeout: 120_000 });
    const failures = await downloaded(page, async () => {
      await tabTo("Download the 1 failed message as CSV");
      await page.keyboard.press("Enter");
    });
    expect(failures.text.split("\r\n")[1]).toMatch(/,technical-failure,merge_row_failed,/);
    expectQuiet(side);
    await page.context().close();
  }, 300_000);
});
