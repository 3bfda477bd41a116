import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { asTenant, createTestTenant } from "../helpers/tenants";

// firesOn is derived from trigger and statuses together: patches of each arriving at once must
// both land, not one overwrite the other with what it read.
describe("concurrent patches of one registration", () => {
  it("a trigger patch and a statuses patch at the same time both land", async () => {
    const tenant = await createTestTenant("callback patch race");
    const created = await asTenant(tenant, "POST", "/api/v1/notify/registerCallback", {
      body: { url: "https://receiver.example.com/hook", channelType: ["sms"], trigger: ["success"] },
    });
    expect(created.status).toBe(201);
    const { callbackId } = await json(created);
    const path = `/api/v1/notify/registerCallback/${callbackId}`;
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        asTenant(tenant, "PATCH", path, { body: { trigger: round % 2 ? ["success"] : ["success", "failure"] } }),
        asTenant(tenant, "PATCH", path, { body: { statuses: round % 2 ? [] : ["sending"] } }),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const stored = await json(await asTenant(tenant, "GET", path));
      expect(stored.trigger).toEqual(round % 2 ? ["success"] : ["success", "failure"]);
      expect(stored.statuses).toEqual(round % 2 ? [] : ["sending"]);
    }
  });
});
