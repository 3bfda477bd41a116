import { describe, expect, it } from "vitest";
import { asAdmin, json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// Four concurrent PATCHes of different defaults all answered 200 but only three fields survived
// (10 rounds of 10); concurrent operator PATCHes lost limit changes the same way.
describe("concurrent patches lose nothing that was acknowledged", () => {
  it("keeps every field of concurrent PATCH /api/v1/tenant/defaults", async () => {
    const t = await createTestTenant();
    for (let round = 0; round < 10; round++) {
      const patches = [
        { defaultRegion: round % 2 ? "GB" : "CA" },
        { params: { round } },
        { email: { from: `round${round}@example.gov` } },
        { sms: { senderId: `Round${round}` } },
      ];
      const answers = await Promise.all(patches.map((body) => asTenant(t, "PATCH", "/api/v1/tenant/defaults", { body })));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const stored = await json(await asTenant(t, "GET", "/api/v1/tenant/defaults"));
      expect(stored).toEqual({
        defaultRegion: round % 2 ? "GB" : "CA",
        params: { round },
        email: { from: `round${round}@example.gov` },
        sms: { senderId: `Round${round}` },
      });
    }
  });

  it("keeps every limit of concurrent operator PATCHes, and null still removes a key", async () => {
    const t = await createTestTenant();
    const keys = ["requestsPerMinute", "dailyEmail", "dailySms", "dailyMsgApp"] as const;
    for (let round = 1; round <= 5; round++) {
      const answers = await Promise.all(keys.map((k) => asAdmin("PATCH", `/api/v1/tenants/${t.id}`, { body: { limits: { [k]: round * 10 + 1 } } })));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const view = await json(await asAdmin("GET", `/api/v1/tenants/${t.id}`));
      const v = round * 10 + 1;
      expect(view.limits).toMatchObject({ requestsPerMinute: v, dailyEmail: v, dailySms: v, dailyMsgApp: v });
    }
    const cleared = await json(await asAdmin("PATCH", `/api/v1/tenants/${t.id}`, { body: { limits: { dailySms: null } } }));
    expect(cleared.limits.dailySms).not.toBe(51);
    expect(cleared.limits.dailyEmail).toBe(51);
  });

  it("answers 404 for an unknown tenant and writes nothing", async () => {
    const res = await asAdmin("PATCH", `/api/v1/tenants/${crypto.randomUUID()}`, { body: { limits: { dailySms: 1 } } });
    expect(res.status).toBe(404);
  });
});
