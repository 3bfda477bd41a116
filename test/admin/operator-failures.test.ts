import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { failUndeliverable } from "../../src/services/delivery/process";
import { toPageRequest } from "../../src/lib/pagination";
import { countRecentDeadLetters, listTechnicalFailures } from "../../src/services/notifications/technical-failures";
import { json } from "../helpers/http";
import { settleQueues } from "../helpers/queues";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";
import { getPage, signInAsOperator, userSession } from "./helpers";

const db = createDb(env.DB);
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** The cells of each body row of the failures table, as text. */
function rowsOf(html: string): string[][] {
  const at = html.indexOf('<caption class="table__caption">Technical failures');
  expect(at, "the failures table").toBeGreaterThan(-1);
  const body = html.slice(html.indexOf("<tbody>", at), html.indexOf("</table>", at));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()));
}

/** A scheduled send (nothing leaves), so its messages can be failed by hand. */
async function scheduled(tenant: TestTenant, body: Record<string, unknown>): Promise<{ notifyId: string; deliveryIds: string[]; messageIds: string[] }> {
  const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", { key: tenant.keys.test, body: { delayedSend: inAnHour(), ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  const { notifyId } = await json<{ notifyId: string }>(res);
  const deliveryIds = (await env.DB.prepare("SELECT id FROM deliveries WHERE notification_id = ? ORDER BY id").bind(notifyId).all<{ id: string }>()).results.map((r) => r.id);
  const messageIds = (await env.DB.prepare("SELECT id FROM messages WHERE notification_id = ? ORDER BY id").bind(notifyId).all<{ id: string }>()).results.map((r) => r.id);
  return { notifyId, deliveryIds, messageIds };
}

let a: TestTenant;
let b: TestTenant;
let dead: Awaited<ReturnType<typeof scheduled>>;
let outage: Awaited<ReturnType<typeof scheduled>>;
let operator: string;
beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant("Failures A"), createTestTenant("Failures B")]);
  // Two dead letters for A (the queue gave up on its email delivery)…
  dead = await scheduled(a, { email: { recipients: { to: ["one@example.com", "two@example.com"] }, content: { subject: "s", body: "b" } } });
  await failUndeliverable(db, env, dead.deliveryIds[0]!, "the queue gave up after 10 attempts");
  // …and a provider outage for B, whose message holds markup the page must not interpret.
  outage = await scheduled(b, { sms: { recipients: { to: ["+447700900123"] }, content: { body: "b" } } });
  const error = { code: "provider_unavailable", message: "<script>alert(1)</script> SES said no", retryable: false, provider: "twilio", at: new Date().toISOString() };
  await env.DB.prepare("UPDATE messages SET status = 'technical-failure', error = ?, updated_at = ? WHERE notification_id = ?").bind(JSON.stringify(error), Date.now() + 1000, outage.notifyId).run();
  operator = await signInAsOperator();
});
afterAll(() => settleQueues());

describe("admin UI: technical failures across tenants (operator)", () => {
  it("lists every tenant's technical failures newest first with tenant link, channel, provider, code and message; counts the day's dead letters", async () => {
    const res = await getPage("/admin/failures", operator);
    expect(res.status).toBe(200);
    const html = await res.text();
    const rows = rowsOf(html).filter((r) => /Failures [AB]/.test(r[1]!));
    expect(rows.map((r) => r.slice(1, 4))).toEqual([
      [`Failures B notification ${outage.notifyId}`, "Text message", "twilio"],
      [`Failures A notification ${dead.notifyId}`, "Email", "simulator"],
      [`Failures A notification ${dead.notifyId}`, "Email", "simulator"],
    ]);
    expect(rows[0]![4]).toBe("provider_unavailable &lt;script&gt;alert(1)&lt;/script&gt; SES said no");
    expect(rows[1]![4]).toBe("dead_lettered the queue gave up after 10 attempts");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain(`<a href="/admin/tenants/${a.id}">Failures A</a>`);
    expect(html).toMatch(/<strong>(\d+) dead letters among the last 24 hours&#39; messages\.<\/strong>/);
    expect(Number(/<strong>(\d+) dead letters/.exec(html)![1])).toBeGreaterThanOrEqual(2);
    expect(html).toContain('href="/admin/failures?code=dead_lettered"');
    expect(html).toContain('<a href="/admin/failures" aria-current="page">Failures</a>');
    // No recipient is shown: the operator needs the why, not who.
    expect(html).not.toContain("one@example.com");
    expect(html).not.toContain("+447700900123");
  });

  it("filters by tenant, channel and error code, and names a bad filter at its field", async () => {
    const names = async (query: string) => rowsOf(await (await getPage(`/admin/failures?${query}`, operator)).text()).map((r) => (r[1] ?? r[0]!).split(" notification")[0]);
    expect(await names(`tenant=${a.id}`)).toEqual(["Failures A", "Failures A"]);
    expect(await names(`tenant=${b.id.toUpperCase()}`)).toEqual(["Failures B"]);
    expect((await names("channel=sms")).filter((n) => /Failures [AB]/.test(n!))).toEqual(["Failures B"]);
    expect((await names("code=dead_lettered")).filter((n) => /Failures [AB]/.test(n!))).toEqual(["Failures A", "Failures A"]);
    expect(await names(`tenant=${a.id}&code=provider_unavailable`)).toEqual(["No technical failures match these filters"]);
    for (const [query, field] of [
      ["tenant=nope", "tenant"],
      ["channel=fax", "channel"],
      ["code=DROP%20TABLE", "code"],
    ]) {
      const res = await getPage(`/admin/failures?${query}`, operator);
      expect([query, res.status]).toEqual([query, 400]);
      expect(await res.text()).toContain(`href="#${field}"`);
    }
    // A cursor we did not make starts again at the first page.
    expect((await getPage("/admin/failures?cursor=garbage", operator)).status).toBe(200);
  });

  it("pages by keyset, newest first, without repeats; older than the window is not read", async () => {
    const ctx = { db, now: new Date() };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listTechnicalFailures(ctx, { tenantId: a.id }, toPageRequest({ limit: 1, ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((i) => i.messageId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...dead.messageIds].sort().reverse());
    // Eight days on, these messages are outside the window.
    expect((await listTechnicalFailures({ db, now: new Date(Date.now() + 8 * 86_400_000) }, { tenantId: a.id }, { limit: 10 })).items).toEqual([]);
    expect(await countRecentDeadLetters({ db, now: new Date(Date.now() + 2 * 86_400_000) })).toBe(0);
    await expect(listTechnicalFailures(ctx, { tenantId: "x' OR 1=1 --" }, { limit: 10 })).rejects.toMatchObject({ status: 400 });
  });

  it("is for operators only", async () => {
    const user = await getPage("/admin/failures", await userSession(a, "manage"));
    expect(user.status).toBe(403);
    expect(await user.text()).not.toContain("dead_lettered");
    const anon = await getPage("/admin/failures");
    expect([anon.status, anon.headers.get("location")]).toEqual([303, "/admin/sign-in"]);
  });
});
