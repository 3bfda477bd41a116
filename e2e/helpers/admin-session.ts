import { expect, inject } from "vitest";
import type { Page } from "playwright-core";
import type { OfflinePage } from "./browser";

/** A sign-in link as the invitation email carries it. */
export const SIGN_IN_LINK = /https?:\/\/\S+\/admin\/sign-in\/link\/[A-Za-z0-9_-]{43}/;

/** One message the local dev sink captured (`/dev/inbox.json`). */
export interface InboxItem {
  id: string;
  channel: string;
  to: string[];
  subject?: string;
  text?: string;
  body?: string;
}

const baseUrl = () => inject("service").baseUrl;

/**
 * Polls `fn` every 250 ms until it answers something other than `undefined`, and answers that.
 *
 * @example
 * const mail = await until(async () => (await inbox()).find((m) => m.to.includes(email)), "the invitation");
 */
export async function until<T>(fn: () => Promise<T | undefined>, what = "a condition", timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The dev inbox's newest messages, newest first.
 *
 * @example
 * const everyone = (await inbox()).flatMap((m) => m.to);
 */
export async function inbox(limit = 200): Promise<InboxItem[]> {
  return ((await (await fetch(`${baseUrl()}/dev/inbox.json?limit=${limit}`)).json()) as { items: InboxItem[] }).items;
}

/**
 * Waits for the invitation sent to `email` to reach the dev inbox and answers the sign-in link
 * its rendered message carries.
 *
 * @example
 * await page.goto(await signInLinkFor("ann@example.com"));
 */
export async function signInLinkFor(email: string): Promise<string> {
  const mail = await until(async () => (await inbox(50)).find((m) => m.to.includes(email)), `the invitation to ${email}`);
  const link = SIGN_IN_LINK.exec(await (await fetch(`${baseUrl()}/dev/inbox/${mail.id}`)).text())?.[0];
  expect(link, "the sign-in link").toBeDefined();
  return link!;
}

/**
 * The demo tenant's name, read through the API with the service's live key.
 *
 * @example
 * await page.getByLabel("Tenant").selectOption({ label: await demoTenantName() });
 */
export async function demoTenantName(): Promise<string> {
  const res = await fetch(`${baseUrl()}/api/v1/tenant`, { headers: { "x-api-key": inject("service").liveKey } });
  return ((await res.json()) as { tenant: { name: string } }).tenant.name;
}

/**
 * Signs in as the operator through the sign-in form with the admin token, from `start` (which
 * must lead to the sign-in page); ends on the tenants list.
 *
 * @example
 * await signInAsOperator(page, "/admin"); // the dashboard sends a stranger to sign in
 */
export async function signInAsOperator(page: Page, start = "/admin/sign-in"): Promise<void> {
  await page.goto(`${baseUrl()}${start}`);
  await page.waitForURL(/\/admin\/sign-in$/);
  await page.getByLabel("Admin token").fill(inject("service").adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin\/tenants$/);
}

/**
 * On an operator's page, invites `email` as a manage user of the tenant named `tenantName` with
 * the tenants list's form (opened first unless the page is on it); ends on `?invited=1`.
 *
 * @example
 * await inviteTenantAdmin(operatorPage, { email, tenantName: await demoTenantName() });
 */
export async function inviteTenantAdmin(page: Page, { email, tenantName }: { email: string; tenantName: string }): Promise<void> {
  if (!/\/admin\/tenants$/.test(page.url())) await page.goto(`${baseUrl()}/admin/tenants`);
  await page.getByLabel("Tenant").selectOption({ label: tenantName });
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel(/^Manage/).check();
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.waitForURL(/invited=1$/);
}

/**
 * Follows a sign-in link and confirms it (the link page asks before it signs in); ends on the
 * dashboard.
 *
 * @example
 * await followSignInLink(page, await signInLinkFor(email));
 */
export async function followSignInLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(/\/admin\/dashboard$/);
}

/**
 * Signs `page` in as a new administrator (manage role) of the demo tenant, as a person does:
 * the operator signs in and invites them, signs out, and the link in the dev inbox is followed.
 * Answers the invited address.
 *
 * @example
 * await signInTenantAdmin(page, "designer"); // designer-1a2b3c4d@example.com
 */
export async function signInTenantAdmin(page: Page, prefix = "admin"): Promise<string> {
  const email = `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await signInAsOperator(page);
  await inviteTenantAdmin(page, { email, tenantName: await demoTenantName() });
  await page.getByRole("button", { name: "Sign out" }).click();
  await followSignInLink(page, await signInLinkFor(email));
  return email;
}

/**
 * Asserts that an offline page made no off-origin request, threw no page error, and logged no
 * console error (CSP violations among them) beyond those `expected` accepts.
 *
 * @example
 * expectQuiet(side, (m) => /status of 422/.test(m));
 */
export function expectQuiet(side: OfflinePage, expected: (message: string) => boolean = () => false): void {
  expect(side.blocked, "off-origin requests").toEqual([]);
  expect(side.errors, "page errors").toEqual([]);
  expect(side.consoleErrors.filter((m) => !expected(m)), "console errors").toEqual([]);
}
