import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { expectQuiet, inbox, SIGN_IN_LINK, until } from "./helpers/admin-session";
import { launch, offlinePage, type OfflinePage } from "./helpers/browser";

const service = inject("service");

/**
 * The admin UI's end-to-end flows (issue 13 "Done when"), each built only by using the pages:
 * (c) an operator creates a tenant, makes it live and invites its administrator, who signs in
 * from the dev inbox; (a) that administrator builds the seed's example 3.1 (two templates, the
 * group FundingApprovers, the event type funding-approved with email to {{emailaddress}} cc the
 * group and SMS to {{phonenumber}}), previews it with parameters and sees each value's layer,
 * then sends themself a test that arrives in the dev inbox (and reaches no one else); (b) an API
 * key created in Settings, its secret shown once and used against /api/v1, never shown again,
 * revoked after a confirmation page and then refused. Each runs with JavaScript on, off, and
 * from the keyboard alone.
 */

/** How a flow operates the page: with the mouse (Playwright's actions) or the keyboard alone. */
interface Driver {
  /** Follows a link or presses a button. */
  press(target: Locator): Promise<void>;
  /** Replaces a text field's value. */
  fill(target: Locator, text: string): Promise<void>;
  /** Checks a radio button or a checkbox. */
  check(target: Locator): Promise<void>;
  /** Picks the option with this label. */
  select(target: Locator, label: string): Promise<void>;
}

const mouse: Driver = {
  press: (target) => target.click(),
  fill: (target, text) => target.fill(text),
  check: (target) => target.check(),
  select: async (target, label) => {
    await target.selectOption({ label });
  },
};

/**
 * The keyboard alone: Tab (and Shift+Tab never) moves focus until it is on the target, Enter
 * follows links and presses buttons, Space checks, typing fills. Within a radio group or a
 * select, whose options are one tab stop, the arrow keys choose, as the platform's own
 * keyboard interaction has it.
 */
function keyboard(page: Page): Driver {
  // Typed structurally: this project's TypeScript has no DOM library.
  const isFocused = (target: Locator) => target.evaluate((el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement);
  async function tabTo(target: Locator, reached: () => Promise<boolean> = () => isFocused(target)): Promise<void> {
    await target.waitFor();
    for (let i = 0; i < 400; i++) {
      if (await reached()) return;
      await page.keyboard.press("Tab");
    }
    throw new Error(`Tab never reached ${target.toString()}`);
  }
  return {
    async press(target) {
      await tabTo(target);
      // Every link and button the flows press loads a page: wait for it, as a click does.
      const loaded = page.waitForEvent("load", { timeout: 10_000 });
      await page.keyboard.press("Enter");
      await loaded;
    },
    async fill(target, text) {
      await tabTo(target);
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.press("Delete");
      // Typed a line at a time: Enter makes the new line in a textarea.
      const lines = text.split("\n");
      for (const [i, line] of lines.entries()) {
        if (i > 0) await page.keyboard.press("Enter");
        await page.keyboard.type(line);
      }
    },
    async check(target) {
      const type = await target.getAttribute("type");
      if (type === "checkbox") {
        await tabTo(target);
        if (!(await target.isChecked())) await page.keyboard.press("Space");
        return;
      }
      // A radio group is one tab stop: reach the group, then arrow to the option.
      const name = await target.getAttribute("name");
      await tabTo(target, () => page.evaluate<boolean>(`(() => { const a = document.activeElement; return !!a && a.type === "radio" && a.name === ${JSON.stringify(name)}; })()`));
      await page.keyboard.press("Space");
      for (let i = 0; i < 10 && !(await target.isChecked()); i++) await page.keyboard.press("ArrowDown");
      expect(await target.isChecked()).toBe(true);
    },
    async select(target, label) {
      await tabTo(target);
      const chosen = () => target.evaluate((el: { selectedOptions: ArrayLike<{ textContent: string | null }> }) => el.selectedOptions[0]?.textContent?.trim() ?? "");
      for (let i = 0; i < 100 && (await chosen()) !== label; i++) await page.keyboard.press("ArrowDown");
      expect(await chosen()).toBe(label);
    },
  };
}

/** A link or a link styled and announced as a button (GOV.UK's start-button pattern: `<a role="button">`). */
const action = (page: Page, name: string) => page.getByRole("link", { name, exact: true }).or(page.getByRole("button", { name, exact: true }));

const MODES = [
  { name: "with JavaScript", javaScriptEnabled: true, keys: false },
  { name: "without JavaScript", javaScriptEnabled: false, keys: false },
  { name: "from the keyboard alone", javaScriptEnabled: true, keys: true },
] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

for (const mode of MODES) {
  describe(`admin UI flows ${mode.name}`, () => {
    const run = `${mode.keys ? "kb" : mode.javaScriptEnabled ? "js" : "nojs"}-${crypto.randomUUID().slice(0, 6)}`;
    const tenantName = `Funding Applications ${run}`;
    const adminEmail = `designer-${run}@example.com`;
    const phone = "+16135550142";
    const approvers = { fred: `fred-${run}@gov.example.com`, joan: `joan-${run}@gov.example.com` };
    const applicant = `lucky-${run}@me.example.com`;
    let side: OfflinePage;
    let page: Page;
    let ui: Driver;
    /** The flows build on each other: once one fails, the rest of this mode is skipped. */
    let broken = false;
    const step = (name: string, fn: () => Promise<void>) =>
      it(name, async (ctx) => {
        if (broken) ctx.skip();
        try {
          await fn();
        } catch (err) {
          broken = true;
          throw err;
        }
      });

    beforeAll(async () => {
      side = await offlinePage(browser, service.baseUrl, { javaScriptEnabled: mode.javaScriptEnabled });
      page = side.page;
      page.setDefaultTimeout(10_000);
      ui = mode.keys ? keyboard(page) : mouse;
    });
    afterAll(async () => {
      await page?.context().close();
    });

    step("(c) an operator creates a tenant, makes it live and invites its administrator, who signs in from the dev inbox", async () => {
      await page.goto(`${service.baseUrl}/admin`);
      await page.waitForURL(/\/admin\/sign-in$/);
      await ui.fill(page.getByLabel("Admin token"), service.adminToken);
      await ui.press(page.getByRole("button", { name: "Sign in" }));
      await page.waitForURL(/\/admin\/tenants$/);

      await ui.press(action(page, "Create a tenant"));
      await ui.fill(page.getByLabel("Name", { exact: true }), tenantName);
      await ui.press(page.getByRole("button", { name: "Create tenant" }));
      await page.waitForURL(/\/admin\/tenants\/[0-9a-f-]{36}/);
      await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe(tenantName);
      // New tenants start in trial; live, so the applicant and the approvers can be previewed.
      await ui.press(page.getByRole("link", { name: `Make live ${tenantName}` }));
      await ui.press(page.getByRole("button", { name: "Make live" }));
      await page.waitForURL(/\/admin\/tenants\/[0-9a-f-]{36}(\?.*)?$/);
      await ui.fill(page.getByLabel("Email address"), adminEmail);
      await ui.check(page.getByRole("radio", { name: /^Manage/ }));
      await ui.press(page.getByRole("button", { name: "Send invitation" }));
      await page.waitForURL(/done=invited/);
      await ui.press(page.getByRole("button", { name: "Sign out" }));
      await page.waitForURL(/\/admin\/sign-in$/);

      // The invitation, in the dev inbox.
      await until(async () => (await inbox()).find((m) => m.to.includes(adminEmail)), "the invitation");
      await page.goto(`${service.baseUrl}/dev/inbox`);
      await ui.press(page.getByRole("row").filter({ hasText: adminEmail }).getByRole("link", { name: `Sign in to Edge Notify for ${tenantName}` }));
      await page.waitForURL(/\/dev\/inbox\/[^/]+$/);
      const link = SIGN_IN_LINK.exec(await page.locator("body").innerText())?.[0];
      expect(link, "the sign-in link in the email").toBeDefined();
      await page.goto(link!);
      await ui.press(page.getByRole("button", { name: "Continue" }));
      await page.waitForURL(/\/admin\/dashboard$/);
      await expect(page.getByText(tenantName).count()).resolves.toBeGreaterThan(0);
    });

    step("(a) seed example 3.1 by clicking: two templates, the group, the event type, a preview with each value's layer, and a test send that reaches the dev inbox and no one else", async () => {
      // The two templates.
      await ui.press(page.getByRole("link", { name: "Templates", exact: true }));
      await ui.press(action(page, "Create a template"));
      await ui.fill(page.getByLabel("Name", { exact: true }), "Funding Approved Email");
      await ui.check(page.getByLabel("Email", { exact: true }));
      await ui.fill(page.getByLabel("Subject", { exact: true }), "Notification of funding approval for {{program}}");
      await ui.fill(page.getByLabel("Body", { exact: true }), "Dear {{firstname}} {{lastname}}\nYour funding to the amount of ${{amount}} for program {{program}} has been approved");
      await ui.press(page.getByRole("button", { name: "Save template" }));
      await page.waitForURL(/\?saved=created$/);
      await ui.press(page.getByRole("link", { name: "Templates", exact: true }));
      await ui.press(action(page, "Create a template"));
      await ui.fill(page.getByLabel("Name", { exact: true }), "Funding Approved SMS");
      await ui.check(page.getByLabel("SMS", { exact: true }));
      await ui.fill(page.getByLabel("Body", { exact: true }), "Hey {{firstname}} {{lastname}} You just got awarded ${{amount}} for {{program}}");
      await ui.press(page.getByRole("button", { name: "Save template" }));
      await page.waitForURL(/\?saved=created$/);

      // The group.
      await ui.press(page.getByRole("link", { name: "Recipients", exact: true }));
      await ui.press(action(page, "Create a group"));
      await ui.fill(page.getByLabel("Name", { exact: true }), "FundingApprovers");
      await ui.fill(page.getByLabel("Members"), `Fred, ${approvers.fred}\nJoan, ${approvers.joan}`);
      await ui.press(page.getByRole("button", { name: "Save group" }));
      await page.waitForURL(/\/admin\/recipients\/groups\/[0-9a-f-]{36}/);

      // The event type, from Settings.
      await ui.press(page.getByRole("link", { name: "Settings", exact: true }));
      await ui.press(page.getByRole("link", { name: "Event types" }));
      await ui.press(action(page, "Create an event type"));
      await ui.fill(page.getByLabel("Code"), "funding-approved");
      await ui.fill(page.getByLabel("Name", { exact: true }), "Funding approved");
      await ui.select(page.getByLabel("Email template"), "Funding Approved Email");
      await ui.fill(page.getByLabel("Email recipients (to)"), "{{emailaddress}}");
      await ui.fill(page.getByLabel("Email cc"), "group:FundingApprovers");
      await ui.select(page.getByLabel("SMS template"), "Funding Approved SMS");
      await ui.fill(page.getByLabel("SMS recipients"), "{{phonenumber}}");
      await ui.press(page.getByRole("button", { name: "Save event type" }));
      await page.waitForURL(/\/admin\/event-types\/[0-9a-f-]{36}\?saved=created$/);
      // Each value beside the layer it comes from.
      const row = (key: string) => page.locator(".summary-list__row").filter({ has: page.locator("dt", { hasText: new RegExp(`^${key.replace(".", "\\.")}$`) }) });
      await expect(row("recipients.cc").first().innerText()).resolves.toMatch(/group:FundingApprovers\s+event/);
      await expect(row("sender.from").first().innerText()).resolves.toMatch(/system/);

      // Preview with parameters: the messages and each value's layer.
      const params = { firstname: "Lucky", lastname: "Applicant", program: "Small Business Development Fund", amount: "1000", emailaddress: applicant, phonenumber: "7787001234" };
      await ui.press(page.getByRole("link", { name: "Preview" }));
      await ui.fill(page.getByLabel("Parameters (JSON)"), JSON.stringify(params));
      await ui.press(page.getByRole("button", { name: "Preview" }));
      await page.getByRole("heading", { name: "Where each value came from" }).waitFor();
      const shown = await page.locator("main").innerText();
      expect(shown).toContain("Notification of funding approval for Small Business Development Fund");
      expect(shown).toContain(applicant);
      expect(shown).toContain(approvers.fred);
      expect(shown).toContain("+17787001234");
      const layer = (channel: string, field: string) => page.getByRole("row").filter({ has: page.getByRole("cell", { name: channel, exact: true }) }).filter({ has: page.getByRole("cell", { name: field, exact: true }) });
      await expect(layer("Email", "recipients.cc").innerText()).resolves.toMatch(/event$/);
      await expect(layer("Email", "content.templateId").innerText()).resolves.toMatch(/event$/);
      await expect(layer("Email", "params.firstname").innerText()).resolves.toMatch(/request$/);
      await expect(layer("Email", "sender.from").innerText()).resolves.toMatch(/system$/);
      await expect(layer("SMS", "recipients.to").innerText()).resolves.toMatch(/event$/);

      // Send me a test: to the administrator's own address and a number they type.
      await ui.press(page.getByRole("link", { name: "Send me a test" }));
      await page.getByText(`Email to your sign-in address: ${adminEmail}`).waitFor();
      await ui.fill(page.getByLabel("Your mobile number"), phone);
      await ui.fill(page.getByLabel("Parameters (JSON)"), JSON.stringify(params));
      await ui.press(page.getByRole("button", { name: "Send me a test" }));
      await page.waitForURL(/\/admin\/event-types\/[0-9a-f-]{36}\/test\/[0-9a-f-]{36}$/);
      await page.getByRole("heading", { name: "Test sent" }).waitFor();
      await ui.press(page.getByRole("link", { name: "See the notification in Activity" }));
      await page.waitForURL(/\/admin\/activity\/[0-9a-f-]{36}$/);
      // Marked as a test, as a test key's sends are.
      await page.locator("main .tag", { hasText: /^Test$/ }).first().waitFor();

      // It arrives in the dev inbox: the email to the administrator, the text to their number.
      const subject = "Notification of funding approval for Small Business Development Fund";
      await until(async () => (await inbox()).find((m) => m.to.includes(adminEmail) && m.subject === subject), "the test email");
      await until(async () => (await inbox()).find((m) => m.to.includes(phone) && m.text?.includes(`Hey Lucky Applicant You just got awarded $1000`)), "the test text");
      await page.goto(`${service.baseUrl}/dev/inbox`);
      await ui.press(page.getByRole("row").filter({ hasText: adminEmail }).getByRole("link", { name: subject }));
      await page.waitForURL(/\/dev\/inbox\/[^/]+$/);
      await expect(page.locator("body").innerText()).resolves.toContain("Dear Lucky Applicant");
      // Nothing of the test went to the applicant or the group.
      const everyone = (await inbox()).flatMap((m) => m.to);
      for (const stranger of [applicant, approvers.fred, approvers.joan, "+17787001234"]) expect(everyone).not.toContain(stranger);
    });

    step("(b) an API key created in Settings is shown once, works, is never shown again, and once revoked after a confirmation page is refused (403)", async () => {
      await page.goto(`${service.baseUrl}/admin/dashboard`);
      const keyName = `Funding webapp ${run}`;
      await ui.press(page.getByRole("link", { name: "Settings", exact: true }));
      await ui.press(page.getByRole("link", { name: "API keys" }));
      await ui.press(action(page, "Create an API key"));
      await ui.fill(page.getByLabel("Name", { exact: true }), keyName);
      await ui.check(page.getByLabel(/^Live/));
      await ui.check(page.getByLabel(/^Read/));
      await ui.check(page.getByLabel(/^Send/));
      await ui.press(page.getByRole("button", { name: "Create key" }));
      await page.getByRole("heading", { name: "API key created" }).waitFor();
      // Copied: read from the page, as a person would select and copy it.
      const secret = await page.getByLabel(`API key for ${keyName}`).inputValue();
      expect(secret.length).toBeGreaterThan(20);
      const tenant = await fetch(`${service.baseUrl}/api/v1/tenant`, { headers: { "x-api-key": secret } });
      expect(tenant.status).toBe(200);
      expect(((await tenant.json()) as { tenant: { name: string } }).tenant.name).toBe(tenantName);

      await ui.press(page.getByRole("link", { name: "Back to API keys" }));
      await action(page, "Create an API key").waitFor();
      // Never shown again.
      expect(await page.content()).not.toContain(secret);
      await ui.press(page.getByRole("link", { name: `Revoke ${keyName}` }));
      await page.getByRole("heading", { level: 1, name: new RegExp(keyName) }).waitFor();
      expect(await page.content()).not.toContain(secret);
      await ui.press(page.getByRole("button", { name: "Revoke key" }));
      await action(page, "Create an API key").waitFor();
      await expect(page.getByRole("row").filter({ hasText: keyName }).innerText()).resolves.toContain("Revoked");
      expect(await page.content()).not.toContain(secret);

      // Refused: README "Authentication": 401 is no credential at all, 403 one sent and refused (revoked).
      const refused = await fetch(`${service.baseUrl}/api/v1/tenant`, { headers: { "x-api-key": secret } });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/revoked/i);
    });

    it("made no off-origin request and logged no error or CSP violation", () => {
      expectQuiet(side);
    });
  });
}
