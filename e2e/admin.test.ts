import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launch, offlinePage } from "./helpers/browser";

const service = inject("service");

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("timed out");
}

/** Console errors (CSP violations among them) and failed page scripts, as a test records them. */
function watchConsole(page: Page): string[] {
  const messages: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") messages.push(`${m.text()} at ${m.location().url}`);
  });
  return messages;
}

describe("admin UI in a browser: an operator invites a tenant's administrator, who signs in from the dev inbox", () => {
  let browser: Browser;
  let tenantName: string;
  beforeAll(async () => {
    browser = await launch();
    const res = await fetch(`${service.baseUrl}/api/v1/tenant`, { headers: { "x-api-key": service.liveKey } });
    tenantName = ((await res.json()) as { tenant: { name: string } }).tenant.name;
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`works ${javaScriptEnabled ? "with" : "without"} JavaScript`, async () => {
      const email = `admin-${crypto.randomUUID().slice(0, 8)}@example.com`;

      // The operator signs in with the admin token and invites the demo tenant's administrator.
      const operator = await offlinePage(browser, service.baseUrl, { javaScriptEnabled });
      const operatorConsole = watchConsole(operator.page);
      await operator.page.goto(`${service.baseUrl}/admin`);
      await operator.page.waitForURL(/\/admin\/sign-in$/);
      await operator.page.getByLabel("Admin token").fill(service.adminToken);
      await operator.page.getByRole("button", { name: "Sign in" }).click();
      await operator.page.waitForURL(/\/admin\/tenants$/);
      await expect(operator.page.getByRole("heading", { name: "Tenants", level: 1 }).count()).resolves.toBe(1);
      await operator.page.getByLabel("Tenant").selectOption({ label: tenantName });
      await operator.page.getByLabel("Email address").fill(email);
      await operator.page.getByLabel(/^Manage/).check();
      await operator.page.getByRole("button", { name: "Send invitation" }).click();
      await operator.page.waitForURL(/\/admin\/tenants\?invited=1$/);
      await expect(operator.page.getByText("Invitation sent").count()).resolves.toBe(1);

      // The invited administrator opens the email in the dev inbox and follows its link.
      const user = await offlinePage(browser, service.baseUrl, { javaScriptEnabled });
      const userConsole = watchConsole(user.page);
      const captured = await until(async () => {
        const inbox = (await (await fetch(`${service.baseUrl}/dev/inbox.json?limit=50`)).json()) as { items: { id: string; to: string[] }[] };
        return inbox.items.find((m) => m.to.includes(email));
      });
      await user.page.goto(`${service.baseUrl}/dev/inbox/${captured.id}`);
      const text = await user.page.locator("body").innerText();
      const link = /https?:\/\/\S+\/admin\/sign-in\/link\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];
      expect(link, "the sign-in link in the email").toBeDefined();
      await user.page.goto(link!);
      await user.page.getByRole("button", { name: "Continue" }).click();
      await user.page.waitForURL(/\/admin\/dashboard$/);
      await expect(user.page.getByRole("heading", { name: "Dashboard", level: 1 }).count()).resolves.toBe(1);
      await expect(user.page.getByText(tenantName).count()).resolves.toBeGreaterThan(0);

      // The link worked once.
      const again = await user.page.goto(link!);
      expect(again?.status()).toBe(404);

      // Signing out ends the session.
      await user.page.goto(`${service.baseUrl}/admin/dashboard`);
      await user.page.getByRole("button", { name: "Sign out" }).click();
      await user.page.waitForURL(/\/admin\/sign-in$/);
      await user.page.goto(`${service.baseUrl}/admin/dashboard`);
      await user.page.waitForURL(/\/admin\/sign-in$/);

      for (const side of [operator, user]) {
        expect(side.blocked).toEqual([]);
        expect(side.errors).toEqual([]);
      }
      // The used link's 404 page is the one error expected.
      expect([...operatorConsole, ...userConsole].filter((m) => !m.endsWith(` at ${link}`))).toEqual([]);
      await operator.page.context().close();
      await user.page.context().close();
    }, 90_000);
  }
});
