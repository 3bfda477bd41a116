import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { expectQuiet, followSignInLink, inviteTenantAdmin, signInLinkFor, until } from "./helpers/admin-session";
import { axeViolations } from "./helpers/axe";
import { launch, offlinePage } from "./helpers/browser";
import { SCREENSHOTS, takeScreenshots } from "./helpers/screenshots";

const service = inject("service");
/** Enough for every screen and its detail pages; a cap keeps a crawl of paged lists bounded. */
const MAX_PAGES = 80;

/** A URL's shape: ids and query values elided, so paging and filters do not multiply the crawl. */
function shape(href: string): string {
  const url = new URL(href);
  const path = url.pathname.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}|\/[A-Za-z0-9_-]{20,}/g, "/:id");
  return `${path}?${[...url.searchParams.keys()].sort().join("&")}`;
}

/** Same-origin admin links on the page that a GET may follow (sign-out is a form, never a link). */
async function adminLinks(page: Page): Promise<string[]> {
  const hrefs = await page.evaluate<string[]>(`[...document.querySelectorAll("a[href]")].map((a) => a.href)`);
  return hrefs.filter((h) => h.startsWith(`${service.baseUrl}/admin`) && !h.includes("#") && !/\.(css|js|csv)(\?|$)/.test(h));
}

interface PageReport {
  url: string;
  status: number;
  violations: string[];
  overflow?: number;
  focusOutline?: string;
}

/**
 * Checks the page as loaded (a GET or a form's answer): axe at desktop width, then, for a 200,
 * the width at 320 px and forced colours with a keyboard-focused control's outline. Viewport and
 * media changes do not reload, so a posted page is checked as it was answered.
 */
async function check(page: Page, url: string, status: number): Promise<PageReport> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ forcedColors: "none" });
  const report: PageReport = { url, status, violations: await axeViolations(page) };
  if (status !== 200) return report;

  await page.setViewportSize({ width: 320, height: 640 });
  const scroll = await page.evaluate<number>("document.documentElement.scrollWidth");
  if (scroll > 320) report.overflow = scroll;

  await page.emulateMedia({ forcedColors: "active" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.evaluate("document.activeElement?.blur()");
  // Tab past the skip link to the first control of the header or nav.
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  // Forced colours drop box-shadows and backgrounds: only an outline still shows focus.
  report.focusOutline = await page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "nothing focused";
    const s = getComputedStyle(el);
    return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 ? "ok" : el.tagName + " outline " + s.outlineStyle + " " + s.outlineWidth;
  })()`);
  await page.emulateMedia({ forcedColors: "none" });
  return report;
}

/**
 * Visits `start` and every admin page reachable from it by links (one per URL shape), and checks
 * each (`check`). One context and one tab per role keeps it fast.
 */
async function crawl(page: Page, start: string[]): Promise<PageReport[]> {
  const queue = [...start];
  const seen = new Set(start.map(shape));
  const reports: PageReport[] = [];
  while (queue.length > 0 && reports.length < MAX_PAGES) {
    const url = queue.shift()!;
    await page.emulateMedia({ forcedColors: "none" });
    const res = await page.goto(url);
    const status = res?.status() ?? 0;
    const links = status === 200 ? await adminLinks(page) : [];
    reports.push(await check(page, url, status));
    for (const link of links) {
      if (!seen.has(shape(link))) {
        seen.add(shape(link));
        queue.push(link);
      }
    }
  }
  return reports;
}

/** Invites a new manage user of `tenantName` from the operator's page and signs `user` in with the emailed link. */
async function inviteAndSignIn(operator: Page, user: Page, tenantName: string): Promise<void> {
  const email = `a11y-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await inviteTenantAdmin(operator, { email, tenantName });
  await followSignInLink(user, await signInLinkFor(email));
}

function summarise(reports: PageReport[]): { violations: string[]; overflow: string[]; focus: string[] } {
  return {
    violations: reports.flatMap((r) => r.violations.map((v) => `${new URL(r.url).pathname}: ${v}`)),
    overflow: reports.filter((r) => r.overflow !== undefined).map((r) => `${new URL(r.url).pathname}: scrollWidth ${r.overflow}`),
    focus: reports.filter((r) => r.focusOutline !== undefined && r.focusOutline !== "ok").map((r) => `${new URL(r.url).pathname}: ${r.focusOutline}`),
  };
}

describe("admin UI accessibility: axe WCAG 2.2 AA, 320 px, forced colours, keyboard only, no off-origin requests or console errors", () => {
  let browser: Browser;
  let tenantName: string;
  let tenantId: string;
  let templateId: string;
  let notificationId: string;
  let groupId: string;
  let serviceId: string;
  let eventTypeId: string;
  const headers = { "x-api-key": service.liveKey, "content-type": "application/json" };
  beforeAll(async () => {
    browser = await launch();
    ({ name: tenantName, id: tenantId } = ((await (await fetch(`${service.baseUrl}/api/v1/tenant`, { headers })).json()) as { tenant: { id: string; name: string } }).tenant);
    // A template and a notification, so their detail pages exist for the crawl.
    const template = await fetch(`${service.baseUrl}/api/v1/templates`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `A11y ${crypto.randomUUID().slice(0, 6)}`, channel: "email", subject: "Hello ((name))", body: "Dear ((name)),\n\nYour code is ((code))." }),
    });
    expect(template.status).toBe(201);
    templateId = ((await template.json()) as { id: string }).id;
    const group = await fetch(`${service.baseUrl}/api/v1/groups`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `a11y-group-${crypto.randomUUID().slice(0, 6)}`, members: [{ email: "member@example.com" }, { phone: "+15005550006" }] }),
    });
    expect(group.status, await group.clone().text()).toBe(201);
    groupId = ((await group.json()) as { id: string }).id;
    // A subscription service, so its page, edit form and delete confirmation are checked too.
    const subscription = await fetch(`${service.baseUrl}/api/v1/service/subscriptions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `a11y-${crypto.randomUUID().slice(0, 6)}`, url: "https://subscriptions.example.gov/r", authHeader: { name: "Authorization", value: "Bearer a11y" }, responseMapping: { email: "recipients[].email" } }),
    });
    expect(subscription.status, await subscription.clone().text()).toBe(201);
    serviceId = ((await subscription.json()) as { id: string }).id;
    // An event type, so its page, edit form, preview and send-me-a-test form are checked too.
    const eventType = await fetch(`${service.baseUrl}/api/v1/notifyevent/types`, {
      method: "POST",
      headers,
      body: JSON.stringify({ code: `a11y-${crypto.randomUUID().slice(0, 6)}`, name: "A11y event", email: { content: { templateId }, recipients: { to: ["{{emailaddress}}"] } } }),
    });
    expect(eventType.status, await eventType.clone().text()).toBe(201);
    eventTypeId = ((await eventType.json()) as { id: string }).id;
    const sent = await fetch(`${service.baseUrl}/api/v1/notifysimple`, {
      method: "POST",
      headers,
      body: JSON.stringify({ email: { recipients: { to: ["a11y@example.com"] }, content: { subject: "Hello", body: "Accessibility check" } } }),
    });
    expect(sent.status).toBe(201);
    const body = (await sent.json()) as { id?: string; notifyId?: string };
    notificationId = (body.notifyId ?? body.id)!;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("every page, as the operator and as a tenant administrator", async () => {
    const operator = await offlinePage(browser, service.baseUrl);
    const op = operator.page;

    // The sign-in page, then a keyboard-only sign-in: Tab to the field, type, Enter.
    const signedOut = await crawl(op, [`${service.baseUrl}/admin/sign-in`]);
    // The check can fail: a planted unlabelled image is reported.
    await op.evaluate(`document.querySelector("main").append(Object.assign(document.createElement("img"), { src: "data:," }))`);
    await expect(axeViolations(op)).resolves.toEqual([expect.stringMatching(/^image-alt /)]);
    await op.goto(`${service.baseUrl}/admin/sign-in`);
    let field = "";
    for (let i = 0; i < 10 && field !== "Admin token"; i++) {
      await op.keyboard.press("Tab");
      field = await op.evaluate<string>(`document.activeElement?.labels?.[0]?.textContent?.trim() ?? ""`);
    }
    expect(field, "Tab reaches the admin token field").toBe("Admin token");
    await op.keyboard.type(service.adminToken);
    await op.keyboard.press("Enter");
    await op.waitForURL(/\/admin\/tenants$/);

    // A form with errors: the error summary has focus, and its link leads to the field.
    await op.getByRole("button", { name: "Send invitation" }).click();
    await op.waitForLoadState();
    await expect(op.evaluate<boolean>(`document.activeElement?.classList.contains("error-summary") ?? false`)).resolves.toBe(true);
    const errorsUrl = op.url();
    // Keyboard: Tab to the summary's first link, Enter, and the field at fault has focus.
    await op.keyboard.press("Tab");
    const target = await op.evaluate<string>(`document.activeElement?.getAttribute("href") ?? ""`);
    expect(target).toMatch(/^#./);
    await op.keyboard.press("Enter");
    await expect(op.evaluate<string>(`"#" + (document.activeElement?.id ?? "")`)).resolves.toBe(target);
    const errorsPage = { url: errorsUrl, status: 422, violations: await axeViolations(op) };

    const operatorPages = await crawl(op, [`${service.baseUrl}/admin/tenants`, `${service.baseUrl}/admin/failures?code=dead_lettered`, `${service.baseUrl}/admin/tenants/${tenantId}/view-as`]);

    // Viewing the tenant as the operator, read only: its pages with the banner, then Stop viewing.
    await op.goto(`${service.baseUrl}/admin/tenants/${tenantId}/view-as`);
    await op.getByRole("button", { name: "View as this tenant" }).click();
    await op.waitForURL(/\/admin\/dashboard$/);
    const viewingPages = await crawl(op, [`${service.baseUrl}/admin/dashboard`, `${service.baseUrl}/admin/templates`, `${service.baseUrl}/admin/activity/${notificationId}`]);
    await op.goto(`${service.baseUrl}/admin/dashboard`);
    await op.getByRole("button", { name: "Stop viewing" }).click();
    await op.waitForURL(/\/admin\/tenants\/[0-9a-f-]{36}$/);

    const user = await offlinePage(browser, service.baseUrl);
    await inviteAndSignIn(op, user.page, tenantName);
    const tenantPages = await crawl(user.page, [
      `${service.baseUrl}/admin/dashboard`,
      `${service.baseUrl}/admin/templates/${templateId}`,
      `${service.baseUrl}/admin/templates/${templateId}/edit`,
      `${service.baseUrl}/admin/templates/${templateId}/preview`,
      `${service.baseUrl}/admin/activity/${notificationId}`,
      `${service.baseUrl}/admin/activity/${notificationId}/cancel`,
      `${service.baseUrl}/admin/settings/api-keys/new`,
      `${service.baseUrl}/admin/settings/chat-targets/new`,
      `${service.baseUrl}/admin/settings/services/subscriptions/new`,
      `${service.baseUrl}/admin/settings/services/attachments/new`,
      `${service.baseUrl}/admin/settings/team/invite`,
      `${service.baseUrl}/admin/settings/services/subscriptions/${serviceId}`,
      `${service.baseUrl}/admin/recipients/groups/${groupId}`,
      `${service.baseUrl}/admin/event-types/${eventTypeId}`,
      `${service.baseUrl}/admin/event-types/${eventTypeId}/edit`,
      `${service.baseUrl}/admin/event-types/${eventTypeId}/preview`,
      `${service.baseUrl}/admin/event-types/${eventTypeId}/test`,
      // The Send screen's one-off send of an event type (its parameters form).
      `${service.baseUrl}/admin/send/event/${eventTypeId}`,
      // The mail merge's upload page and a notification's progress page (the check pages need an upload: e2e/admin-merge.test.ts checks them).
      `${service.baseUrl}/admin/send/${templateId}/merge`,
      `${service.baseUrl}/admin/send/merges/${notificationId}`,
      // …and with the notice of a file the duplicate window found already sent as that merge.
      `${service.baseUrl}/admin/send/merges/${notificationId}?done=duplicate`,
      // The HTML 404 page.
      `${service.baseUrl}/admin/templates/00000000-0000-7000-8000-00000000dead`,
    ]);

    // Pages only a form's post answers, which following links never reaches, checked where they land.
    const up = user.page;
    const posted: PageReport[] = [];
    // "Send me a test": a real test send (to the user's own sign-in address), then its result page.
    await up.goto(`${service.baseUrl}/admin/event-types/${eventTypeId}/test`);
    await up.getByLabel("Parameters (JSON)").fill(JSON.stringify({ name: "Ann", code: "A-1" }));
    await up.getByRole("button", { name: "Send me a test" }).click();
    await up.waitForURL(/\/admin\/event-types\/[0-9a-f-]{36}\/test\/[0-9a-f-]{36}$/);
    await up.getByRole("heading", { name: "Test sent" }).waitFor();
    posted.push(await check(up, up.url(), 200));
    // "Send an event": the preview with its recipients and the confirm button.
    await up.goto(`${service.baseUrl}/admin/send/event/${eventTypeId}`);
    await up.getByLabel("Parameters (JSON)").fill(JSON.stringify({ emailaddress: "a11y-event@example.com", name: "Ann", code: "A-1" }));
    await up.getByRole("button", { name: "Preview", exact: true }).click();
    const confirm = up.getByRole("button", { name: /^Send to \d+ recipients?$/ });
    await confirm.waitFor();
    posted.push(await check(up, up.url(), 200));
    // The event type changes after that preview (a new version), so its confirmation is the 409 page.
    const changed = await fetch(`${service.baseUrl}/api/v1/notifyevent/types/${eventTypeId}`, { method: "PATCH", headers, body: JSON.stringify({ description: "Changed after the preview" }) });
    expect(changed.status, await changed.clone().text()).toBe(200);
    await confirm.click();
    await up.getByRole("heading", { name: "The event type has changed since your preview" }).waitFor();
    posted.push(await check(up, up.url(), 409));
    expect(posted.map((r) => `${r.status} ${new URL(r.url).pathname.replace(/[0-9a-f-]{36}/g, ":id")}`)).toEqual([
      "200 /admin/event-types/:id/test/:id",
      "200 /admin/send/event/:id/preview",
      "409 /admin/send/event/:id",
    ]);

    const all = [...signedOut, errorsPage, ...operatorPages, ...viewingPages, ...tenantPages, ...posted];
    const visited = all.map((r) => `${r.status} ${new URL(r.url).pathname}`);
    // Visible in the run's output: which pages were checked.
    console.log(`admin a11y: ${all.length} pages\n${visited.join("\n")}`);
    expect(tenantPages.filter((r) => r.status === 200).length, "tenant pages visited").toBeGreaterThanOrEqual(8);
    expect(summarise(all)).toEqual({ violations: [], overflow: [], focus: [] });

    // Expected console errors: the failed resource loads of the non-200 pages visited on purpose.
    const errorUrls = new Set(all.filter((r) => r.status !== 200).map((r) => r.url));
    for (const side of [operator, user]) expectQuiet(side, (m) => /status of (404|422|409|403)/.test(m) && [...errorUrls].some((u) => m.endsWith(` at ${u}`)));

    // ADMIN_SCREENSHOTS=<dir> (`npm run screenshots`): the README's pictures of the main screens.
    const base = `${service.baseUrl}/admin`;
    const signedOutPage = await offlinePage(browser, service.baseUrl);
    await takeScreenshots(signedOutPage.page, [{ name: "sign-in", url: `${base}/sign-in` }]);
    await signedOutPage.page.context().close();
    await takeScreenshots(user.page, [
      { name: "dashboard", url: `${base}/dashboard` },
      { name: "dashboard-320", url: `${base}/dashboard`, width: 320, height: 640 },
      { name: "templates", url: `${base}/templates` },
      { name: "template-preview", url: `${base}/templates/${templateId}/preview` },
      { name: "activity", url: `${base}/activity` },
      { name: "notification", url: `${base}/activity/${notificationId}` },
      { name: "api-keys", url: `${base}/settings/api-keys` },
      { name: "recipient-groups", url: `${base}/recipients/groups` },
      { name: "settings", url: `${base}/settings` },
      { name: "team", url: `${base}/settings/team` },
      { name: "chat-targets", url: `${base}/settings/chat-targets` },
    ]);
    if (SCREENSHOTS) {
      // The mail merge's check page needs an upload, and its progress page a merge sent from it.
      const up = user.page;
      await up.goto(`${base}/send/${templateId}/merge`);
      const people = ["email address,name,code", "ann@example.com,Ann,A-1", "bob@example.com,Bob,B-2", "cy@example.com,Cy,C-3"].join("\r\n") + "\r\n";
      await up.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(people) });
      await up.getByRole("button", { name: "Upload and check" }).click();
      await up.waitForURL(/\/admin\/send\/uploads\/[0-9a-f]{32}$/);
      await takeScreenshots(up, [{ name: "merge-check", url: up.url() }]);
      await up.getByLabel("Now", { exact: true }).check();
      await up.getByRole("button", { name: "Send 3 messages" }).click();
      await up.waitForURL(/\/admin\/send\/merges\/[0-9a-f-]{36}$/);
      // Finished, so the picture shows a merge's counts at its end (the dev sink's receipts finish it).
      const statusUrl = `${service.baseUrl}/api/v1/notify/${up.url().split("/").pop()}`;
      await until(async () => {
        const { status } = (await (await fetch(statusUrl, { headers: { "x-api-key": service.liveKey } })).json()) as { status: string };
        return ["delivered", "partially-failed", "failed"].includes(status) ? status : undefined;
      }, "the merge to finish", 60_000);
      await takeScreenshots(up, [{ name: "merge-progress", url: up.url() }]);
    }
    await takeScreenshots(op, [
      { name: "operator-tenants", url: `${base}/tenants` },
      { name: "operator-tenant", url: `${base}/tenants/${tenantId}` },
      { name: "operator-failures", url: `${base}/failures` },
    ]);
    await op.context().close();
    await user.page.context().close();
  }, 180_000);
});
