import { describe, expect, it } from "vitest";
import { progressOf } from "../../src/services/notifications/notifications";
import { json } from "../helpers/http";
import { waitForNotification } from "../helpers/status";
import { asTenant, createTestTenant } from "../helpers/tenants";

describe("progress of a notification", () => {
  it("counts messages in a final status of all of them", () => {
    expect(progressOf(4, { delivered: 2, sending: 1, "technical-failure": 1 })).toEqual({ done: 3, total: 4, percent: 75 });
    expect(progressOf(3, { created: 2, cancelled: 1 })).toEqual({ done: 1, total: 3, percent: 33.3 });
    expect(progressOf(0, {})).toEqual({ done: 0, total: 0, percent: 100 });
  });

  it("is shown by GET /api/v1/notify/{id}: 0% while scheduled, 100% once every message is final", async () => {
    const t = await createTestTenant();
    const body = (extra: object = {}) => ({ recipients: { to: ["+17787001234", "+17787001235", "+17787001236"] }, content: { body: "hi" }, ...extra });
    const later = await json(await asTenant(t, "POST", "/api/v1/notifysimple/sms", { key: t.keys.test, body: body({ delayedSend: new Date(Date.now() + 3_600_000).toISOString() }) }));
    expect((await json(await asTenant(t, "GET", `/api/v1/notify/${later.notifyId}`))).progress).toEqual({ done: 0, total: 3, percent: 0 });
    const now = await json(await asTenant(t, "POST", "/api/v1/notifysimple/sms", { key: t.keys.test, body: body() }));
    const done = await waitForNotification(t, now.notifyId);
    expect(done.progress).toEqual({ done: 3, total: 3, percent: 100 });
  });
});
