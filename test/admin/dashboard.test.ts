import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, userSession } from "./helpers";

/** The cells of each row of the table captioned `caption`, as text. */
function tableRows(html: string, caption: string): string[][] {
  const at = html.indexOf(`<caption class="table__caption">${caption}</caption>`);
  expect(at, `a table captioned ${caption}`).toBeGreaterThan(-1);
  const table = html.slice(at, html.indexOf("</table>", at));
  const body = table.slice(table.indexOf("<tbody>"));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, "").trim()));
}

/** The `<svg>` drawn for a channel's chart. */
function chartOf(html: string, channel: string): string {
  const at = html.indexOf(`aria-labelledby="chart-${channel}-title"`);
  expect(at, `a chart for ${channel}`).toBeGreaterThan(-1);
  const start = html.lastIndexOf("<svg", at);
  return html.slice(start, html.indexOf("</svg>", at) + 6);
}

let a: TestTenant;
let b: TestTenant;
beforeAll(async () => {
  a = await createTestTenant("Dashboard A");
  b = await createTestTenant("Dashboard B");
});
afterAll(() => settleQueues());

describe("admin UI: dashboard", () => {
  it("charts the last 7 days' messages per channel with the figures the API's sends made, in the SVG and its table", async () => {
    const sends: [string, unknown][] = [
      ["/api/v1/notifysimple/email", { recipients: { to: ["ok@example.com"] }, content: { subject: "s", body: "b" } }],
      ["/api/v1/notifysimple/email", { recipients: { to: ["perm-fail@simulator.notify"] }, content: { subject: "s", body: "b" } }],
      ["/api/v1/notifysimple/sms", { recipients: { to: ["+17787009911"] }, content: { body: "hi" } }],
      ["/api/v1/notifysimple/sms", { recipients: { to: ["+447700900002"] }, content: { body: "hi" } }],
      // Two channels in one notification: its counts cannot say which channel, so its messages are read.
      ["/api/v1/notifysimple", { email: { recipients: { to: ["both@example.com"] }, content: { subject: "s", body: "b" } }, sms: { recipients: { to: ["+447700900003"] }, content: { body: "hi" } } }],
    ];
    const ids: [TestTenant, string][] = [];
    for (const [path, body] of sends) {
      const res = await asTenant(a, "POST", path, { key: a.keys.test, body });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      ids.push([a, (await json(res)).notifyId]);
    }
    // Another tenant's sends never show on A's dashboard.
    ids.push([b, (await json(await asTenant(b, "POST", "/api/v1/notifysimple/email", { key: b.keys.test, body: sends[0]![1] }))).notifyId]);
    await settleQueues();
    for (const [t, id] of ids) await waitForNotification(t, id);

    const res = await getPage("/admin/dashboard", await userSession(a, "read"));
    expect(res.status).toBe(200);
    const html = await res.text();
    const today = new Date().toISOString().slice(0, 10);

    const totals = tableRows(html, "Totals and failure rate by channel, last 7 days");
    expect(totals.map((r) => r.slice(0, 4))).toEqual([
      ["Email", "3", "2", "1"],
      ["Text message", "3", "1", "2"],
    ]);
    expect(totals[0]![4]).toMatch(/^33\.3%/);
    expect(totals[1]![4]).toMatch(/^66\.7%/);
    expect(html).toContain('href="/admin/activity?status=failed&amp;channel=email"');
    expect(html).toContain('href="/admin/activity?status=failed&amp;channel=sms"');

    for (const [channel, label, figures] of [
      ["email", "Email", ["3", "2", "1"]],
      ["sms", "Text message", ["3", "1", "2"]],
    ] as const) {
      const rows = tableRows(html, `${label} messages a day, last 7 days`);
      expect(rows).toHaveLength(7);
      expect(rows.slice(0, 6).every((r) => r.slice(1).every((n) => n === "0"))).toBe(true);
      expect(rows[6]!.slice(1)).toEqual(figures);
      expect(html).toContain(`<time datetime="${today}">`);

      const svg = chartOf(html, channel);
      expect(svg).toMatch(/^<svg[^>]* role="img"/);
      expect(svg).toMatch(new RegExp(`<title id="chart-${channel}-title">${label}: messages sent, delivered and failed a day`));
      expect(svg).toContain(`<desc id="chart-${channel}-desc">In all ${figures[0]} sent, ${figures[1]} delivered and ${figures[2]} failed.`);
      // Every bar's label is a figure of the table: the non-zero ones, in the same order.
      const labels = [...svg.matchAll(/<text class="chart__value"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
      expect(labels).toEqual(rows.flatMap((r) => r.slice(1)).filter((n) => n !== "0"));
    }
    expect(html).toContain("No merges are running.");
    // Providers' health as status tags, from the circuits.
    const providers = tableRows(html, html.match(/Provider health, checked [0-9:]+ UTC/)?.[0] ?? "Provider health");
    expect(providers.map((r) => r.slice(0, 3))).toContainEqual(["Email", "ses (primary)", "Working"]);
    expect(providers.map((r) => r.slice(0, 3))).toContainEqual(["Text message", "twilio (primary)", "Working"]);
    expect(html).toMatch(/<strong class="tag tag--green">Working<\/strong>/);
  }, 30_000);

  it("shows a running merge with a progress bar that says its progress in text", async () => {
    // A merge still fanning out: chunks pending, 4 of its 10 messages final.
    const id = crypto.randomUUID();
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO notifications (id, tenant_id, status, key_type, source, tags, channels, message_count, count_created, count_delivered, pending_chunks, created_at, updated_at)
       VALUES (?, ?, 'sending', 'test', 'merge', '[]', '["email"]', 10, 6, 4, 2, ?, ?)`,
    )
      .bind(id, b.id, now, now)
      .run();
    const html = await (await getPage("/admin/dashboard", await userSession(b, "read"))).text();
    expect(html).toMatch(new RegExp(`<progress class="progress" max="10" value="4" aria-labelledby="merge-${id}">4 of 10 messages done \\(40%\\)</progress>`));
    expect(html).toContain(`href="/admin/activity/${id}"`);
    // Another tenant's merge is not on A's dashboard.
    expect(await (await getPage("/admin/dashboard", await userSession(a, "read"))).text()).toContain("No merges are running.");
    await env.DB.prepare("DELETE FROM notifications WHERE id = ?").bind(id).run();
  });

  it("is for a tenant's users: anyone else is sent to sign in", async () => {
    const res = await getPage("/admin/dashboard");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/sign-in");
  });
});
