import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import type { Env } from "../../src/env";
import { log } from "../../src/lib/log";
import { BASE, json } from "../helpers/http";
import { createProviderMocks } from "../helpers/providers";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant, type TestTenant } from "../helpers/tenants";

// Logs and analytics can leave a deployment's region (README "Regions"): no recipient, body,
// subject or param may reach a log line, whatever path the message takes.

const mocks = createProviderMocks();
let tenant: TestTenant;
const METHODS = ["log", "info", "warn", "error", "debug"] as const;
let lines: string[] = [];

beforeAll(async () => {
  mocks.server.listen({ onUnhandledRequest: "error" });
  tenant = await createTestTenant("Log privacy", { status: "live" });
});
afterEach(() => {
  mocks.reset();
  vi.restoreAllMocks();
});
afterAll(() => mocks.server.close());

function watchConsole(): void {
  lines = [];
  for (const method of METHODS) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
}

describe("log lines", () => {
  it("redact recipient and content fields, and addresses and numbers inside any string", () => {
    watchConsole();
    const marker = `zq${crypto.randomUUID().slice(0, 8)}`;
    log("error", `failed for ${marker}@example.com`, {
      deliveryId: "d-1",
      to: [`${marker}@example.com`],
      body: `Hello ${marker}`,
      params: { name: marker },
      Subject: marker,
      nested: { recipients: { to: marker }, phone_number: marker },
      error: `Twilio: The 'To' number +1 778 700 1234 is not valid; contact ${marker}@example.com`,
      cause: new Error(`SES: rejected ${marker}@example.org`),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(marker);
    expect(lines[0]).not.toContain("778 700 1234");
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      level: "error",
      message: "failed for [email]",
      deliveryId: "d-1",
      to: "[redacted]",
      body: "[redacted]",
      params: "[redacted]",
      Subject: "[redacted]",
      nested: { recipients: "[redacted]", phone_number: "[redacted]" },
      error: "Twilio: The 'To' number [phone] is not valid; contact [email]",
      cause: { name: "Error", message: "SES: rejected [email]" },
    });
  });

  it("redact fields however recipients are spelled, and keys that are addresses; read long strings in bounded time", () => {
    watchConsole();
    const marker = `zq${crypto.randomUUID().slice(0, 8)}`;
    log("warn", "odd fields", {
      personalization: { name: marker },
      emailAddresses: [`${marker}@example.com`],
      userNumber: marker,
      destination: [marker],
      byAddress: { [`${marker}@example.com`]: 1 },
      unicode: `write to ${marker}@例え.テスト`,
      at: new Date("2026-11-27T12:00:00Z"),
      big: 10n,
      err: Object.assign(new Error("refused"), { code: "E_REFUSED" }),
    });
    expect(lines[0]).not.toContain(marker);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      personalization: "[redacted]",
      emailAddresses: "[redacted]",
      userNumber: "[redacted]",
      destination: "[redacted]",
      byAddress: { "[email]": 1 },
      unicode: "write to [email]",
      at: "2026-11-27T12:00:00.000Z",
      big: "10",
      err: { name: "Error", message: "refused", code: "E_REFUSED" },
    });
    // A long token with no space (a base64 chunk in a provider's error) is read only up to a
    // bound before the patterns run, and cut: scanning it whole took seconds.
    log("error", "long", { error: `a@${"x".repeat(200_000)}`, other: `${"y".repeat(5_000)} ${marker}@example.com` });
    const long = JSON.parse(lines[1]!);
    expect(long.error).toMatch(/^a@x+…$/);
    expect(long.error.length).toBe(1_001);
    expect(long.other).toBe(`${"y".repeat(1_000)}…`);
  });

  it("keep ids, counts and timestamps", () => {
    watchConsole();
    log("info", "cron", { released: 3, at: "2026-11-27T21:57:27.678Z", notifyId: "01a21f03-6bfe-7000-93b7-1d15214042b5", rows: [1, 500] });
    expect(JSON.parse(lines[0]!)).toEqual({ level: "info", message: "cron", released: 3, at: "2026-11-27T21:57:27.678Z", notifyId: "01a21f03-6bfe-7000-93b7-1d15214042b5", rows: [1, 500] });
  });

  it("hold no recipient, body, subject or param of a send, delivered or refused by its providers", async () => {
    const marker = `zq${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    watchConsole();
    // SES and Twilio refuse the first send with answers that echo the address, the number and the
    // text, as providers word their errors.
    mocks.failNext("ses", { status: 400, body: { message: `Illegal address ${marker}@example.com` } });
    mocks.failNext("twilio", { status: 400, body: { code: 21211, message: `The 'To' number +17787001234 is not a valid phone number (${marker})` } });
    const send = async (extra: object) => {
      const res = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
        body: {
          params: { ref: marker },
          email: { recipients: { to: [`${marker}@example.com`], cc: [`cc-${marker}@example.com`] }, content: { subject: `Case {{ref}}`, body: `Your case ${marker} is open` } },
          sms: { recipients: { to: ["+17787001234"] }, content: { body: `Case {{ref}}` } },
          ...extra,
        },
      });
      expect(res.status).toBe(201);
      return (await json(res)).notifyId as string;
    };
    const first = await send({});
    await waitForNotification(tenant, first, undefined, 20_000);
    // Again, delivered this time (another duplicate-window fingerprint).
    const second = await send({ allowDuplicate: true });
    await waitForNotification(tenant, second, undefined, 20_000);
    // A refused request names the marker in the body it refuses.
    const refused = await asTenant(tenant, "POST", "/api/v1/notifysimple", {
      body: { email: { recipients: { to: [`not-an-address-${marker}`] }, content: { subject: marker, body: marker } } },
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(mocks.calls.twilio).toBeGreaterThanOrEqual(2);
    expect(mocks.captured.ses.some((e) => e.destination.ToAddresses?.includes(`${marker}@example.com`))).toBe(true);
    // A path that does log (a 503 whose detail quotes a setting holding an address): the spy sees
    // the Worker's lines, and the address is not in them.
    const misconfigured = { ...env, REGION_BASE_URLS: `ca=mailto:${marker}@example.com` } as Env;
    const res = await worker.fetch(new Request(`${BASE}/api/v1/regions`), misconfigured, createExecutionContext());
    expect(res.status).toBe(503);
    expect(lines.some((l) => l.includes("REGION_BASE_URLS") && l.includes("[email]"))).toBe(true);
    const leaking = lines.filter((l) => l.includes(marker) || l.includes("7787001234"));
    expect(leaking).toEqual([]);
  }, 45_000);
});
