import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { demoTenantName, expectQuiet, followSignInLink, inbox, inviteTenantAdmin, SIGN_IN_LINK, signInAsOperator, until } from "./helpers/admin-session";
import { launch, offlinePage } from "./helpers/browser";

const service = inject("service");

describe("admin UI in a browser: an operator invites a tenant's administrator, who signs in from the dev inbox", () => {
  let browser: Browser;
  let tenantName: string;
  beforeAll(async () => {
    browser = await launch();
    tenantName = await demoTenantName();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`works ${javaScriptEnabled ? "with" : "without"} JavaScript`, async () => {
      const email = `admin-${crypto.randomUUID().slice(0, 8)}@example.com`;

      // The operator signs in with the admin token and invites the demo tenant's administrator.
      const operator = await offlinePage(browser, service.baseUrl, { javaScriptEnabled });
      await signInAsOperator(operator.page, "/admin");
      await expect(operator.page.getByRole("heading", { name: "Tenants", level: 1 }).count()).resolves.toBe(1);
      await inviteTenantAdmin(operator.page, { email, tenantName });
      expect(operator.page.url()).toMatch(/\/admin\/tenants\?invited=1$/);
      await expect(operator.page.getByText("Invitation sent").count()).resolves.toBe(1);

      // The invited administrator opens the email in the dev inbox and follows its link.
      const user = await offlinePage(browser, service.baseUrl, { javaScriptEnabled });
      const captured = await until(async () => (await inbox(50)).find((m) => m.to.includes(email)), "the invitation");
      await user.page.goto(`${service.baseUrl}/dev/inbox/${captured.id}`);
      const text = await user.page.locator("body").innerText();
      const link = SIGN_IN_LINK.exec(text)?.[0];
      expect(link, "the sign-in link in the email").toBeDefined();
      await followSignInLink(user.page, link!);
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

      // The used link's 404 page is the one error expected.
      for (const side of [operator, user]) expectQuiet(side, (m) => m.endsWith(` at ${link}`));
      await operator.page.context().close();
      await user.page.context().close();
    }, 90_000);
  }
});
